import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOpenAIServer, type OpenAIFakeServer } from "../../helpers/openai-server.js";
import { providerForBaseURL } from "../../../interceptors/openai/provider.js";
import { eventsAfter, harness, patch, require, type Harness } from "./support.js";

const openai = require("openai");
const { OpenAI, AzureOpenAI } = openai;

let server: OpenAIFakeServer;
let h: Harness;
let restore: (() => void) | undefined;

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  restore?.();
  server.responseModel = undefined;
  h = harness();
  const set = patch(openai, h);
  restore = () => set.restore();
});

const messages = [{ role: "user" as const, content: "Hi" }];

/** A real fetch that sends a remote host's requests to the local server (the SDK still sees the remote base URL). */
function redirectTo(local: string): typeof fetch {
  return (input, init) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    return fetch(`${local}${url.pathname}${url.search}`, init);
  };
}

describe("Azure OpenAI", () => {
  const azure = (deployment?: string) =>
    new AzureOpenAI({
      endpoint: server.url,
      apiKey: "azure-key",
      apiVersion: "2024-10-21",
      maxRetries: 0,
      ...(deployment ? { deployment } : {}),
    });

  it("AzureOpenAI chat: provider azure, requested = deployment, priced by the answer's real model", async () => {
    server.responseModel = () => "gpt-4o-2024-08-06";
    await azure("prod-chat").chat.completions.create({ model: "prod-chat", messages });
    expect(server.requests.at(-1)!.path).toBe("/openai/deployments/prod-chat/chat/completions");
    const [e] = await eventsAfter(h, 1);
    expect(e).toMatchObject({
      provider: "azure",
      requestedModel: "prod-chat",
      model: "gpt-4o-2024-08-06",
      costUsd: "0.02",
    });
  });

  it("azureDeployments maps a deployment to the pricing model (wins over the answer's model)", async () => {
    h.options = { azureDeployments: { "prod-chat": "gpt-4o-mini" } };
    server.responseModel = () => "gpt-4"; // old Azure answers: unversioned, would misprice
    await azure().chat.completions.create({ model: "prod-chat", messages });
    const [e] = await eventsAfter(h, 1);
    // gpt-4o-mini: 2,000 × 0.15 + 8,000 × 0.075 + 500 × 0.60, per 1M
    expect(e).toMatchObject({
      provider: "azure",
      requestedModel: "prod-chat",
      model: "gpt-4o-mini",
      costUsd: "0.0012",
    });
  });

  it("Responses on Azure echo the deployment: unpriced (never $0) unless mapped", async () => {
    server.responseModel = (requested) => requested; // Azure returns the deployment name
    const client = azure();
    await client.responses.create({ model: "resp-deploy", input: "Hi" });
    h.options = { azureDeployments: { "resp-deploy": "gpt-4o" } };
    await client.responses.create({ model: "resp-deploy", input: "Hi" });
    const [unmapped, mapped] = await eventsAfter(h, 2);
    expect(unmapped).toMatchObject({
      provider: "azure",
      model: "resp-deploy",
      costUsd: null,
      unpriced: true,
    });
    expect(mapped).toMatchObject({ provider: "azure", model: "gpt-4o", costUsd: "0.02" });
  });

  it("Azure v1 API through a plain OpenAI client on an azure host is labelled azure", async () => {
    server.responseModel = () => "gpt-4o-2024-08-06";
    const client = new OpenAI({
      apiKey: "k",
      baseURL: "https://myres.openai.azure.com/openai/v1/",
      fetch: redirectTo(server.url),
      maxRetries: 0,
    });
    const chunks: unknown[] = [];
    server.azureFilterChunk = true;
    try {
      for await (const c of await client.chat.completions.create({
        model: "my-deploy",
        messages,
        stream: true,
      }))
        chunks.push(c);
    } finally {
      server.azureFilterChunk = false;
    }
    expect(chunks[0]).toMatchObject({ choices: [], model: "" });
    const [e] = await eventsAfter(h, 1);
    expect(e).toMatchObject({
      provider: "azure",
      requestedModel: "my-deploy",
      model: "gpt-4o-2024-08-06",
      costUsd: "0.02",
    });
  });
});

describe("OpenAI-compatible servers", () => {
  it.each([
    ["https://api.groq.com/openai/v1", "groq"],
    ["http://localhost:11434/v1", "ollama"],
    ["https://openrouter.ai/api/v1", "openrouter"],
  ])("%s is labelled %s, not openai", async (baseURL, provider) => {
    const client = new OpenAI({ apiKey: "k", baseURL, fetch: redirectTo(server.url), maxRetries: 0 });
    await client.chat.completions.create({ model: "llama-3.1-8b", messages });
    const [e] = await eventsAfter(h, 1);
    expect(e!.provider).toBe(provider);
    expect(e!.model).toBe("llama-3.1-8b-2024-08-06");
  });

  it("known hosts, user map (host or substring) first, unknown hosts by name", () => {
    const cases: [string, Record<string, string> | undefined, string][] = [
      ["https://api.openai.com/v1", undefined, "openai"],
      ["https://api.mistral.ai/v1", undefined, "mistral"],
      ["https://api.together.xyz/v1", undefined, "together"],
      ["https://api.deepseek.com", undefined, "deepseek"],
      ["https://eastus.api.cognitive.microsoft.com", undefined, "eastus.api.cognitive.microsoft.com"],
      ["https://my-res.cognitiveservices.azure.com/openai/v1", undefined, "azure"],
      ["http://127.0.0.1:8000/v1", undefined, "127.0.0.1"],
      ["http://127.0.0.1:8000/v1", { "127.0.0.1:8000": "vllm" }, "vllm"],
      ["https://gateway.example.com/openai/v1", { "example.com/openai": "openai" }, "openai"],
      ["", undefined, "openai"],
    ];
    for (const [url, map, expected] of cases) expect(providerForBaseURL(url, map), url).toBe(expected);
  });

  it("the default client (no baseURL) is openai", async () => {
    const client = new OpenAI({ apiKey: "k", fetch: redirectTo(server.url), maxRetries: 0 });
    await client.embeddings.create({ model: "text-embedding-3-small", input: "x" });
    const [e] = await eventsAfter(h, 1);
    expect(e!.provider).toBe("openai");
  });
});
