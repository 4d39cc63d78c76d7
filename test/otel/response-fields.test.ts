/**
 * `gen_ai.response.id` and `gen_ai.response.finish_reasons` through the real SDKs and the real interceptors,
 * against the local wire-format fakes: plain and streamed answers of each provider reach the span.
 */
import { createRequire } from "node:module";
import Anthropic from "@anthropic-ai/sdk";
import * as anthropicSdk from "@anthropic-ai/sdk";
import * as bedrock from "@aws-sdk/client-bedrock-runtime";
import * as genai from "@google/genai";
import * as legacy from "@google/generative-ai";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anthropicInterceptor } from "../../interceptors/anthropic/index.js";
import { bedrockInterceptor } from "../../interceptors/bedrock/index.js";
import { googleGenAiInterceptor } from "../../interceptors/google-genai/index.js";
import { googleGenerativeAiInterceptor } from "../../interceptors/google-generative-ai/index.js";
import { openaiInterceptor } from "../../interceptors/openai/index.js";
import type { InterceptorEnv } from "../../interceptors/_shared/types.js";
import type { PatchSet } from "../../interceptors/_shared/wrap.js";
import { startAnthropicServer, type AnthropicServer } from "../helpers/anthropic-server.js";
import { startBedrockServer, type BedrockServer } from "../helpers/bedrock-server.js";
import { startGeminiServer, type GeminiServer } from "../helpers/gemini-server.js";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { instrumentedTracker, otelHarness, type OtelHarness } from "./support.js";

const require = createRequire(import.meta.url);
const openai = require("openai");
process.removeAllListeners("warning"); // the AWS SDK's Node 22 notice

let o: OtelHarness;
let t: ReturnType<typeof instrumentedTracker>;
let servers: {
  openai: OpenAIFakeServer;
  anthropic: AnthropicServer;
  gemini: GeminiServer;
  bedrock: BedrockServer;
};
const patches: (PatchSet | undefined)[] = [];

beforeAll(async () => {
  o = otelHarness();
  t = instrumentedTracker({ tracerProvider: o.tracerProvider, meterProvider: o.meterProvider });
  const env: InterceptorEnv = {
    sink: () => t.tracker,
    options: { baseURLProviders: { "127.0.0.1": "openai" } },
    warnOnce: () => {},
  };
  servers = {
    openai: await startOpenAIServer(),
    anthropic: await startAnthropicServer(),
    gemini: await startGeminiServer(),
    bedrock: await startBedrockServer(),
  };
  patches.push(
    openaiInterceptor.patchModule(openai, env),
    anthropicInterceptor.patchModule(anthropicSdk, env),
    googleGenAiInterceptor.patchModule(genai, env),
    googleGenerativeAiInterceptor.patchModule(legacy, env),
    bedrockInterceptor.patchModule(bedrock, env),
  );
});
afterAll(async () => {
  for (const p of patches) p?.restore();
  await t.tracker.shutdown();
  await o.close();
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

/** The span of the one call `run` makes (matched on a request model unique to the test). */
async function spanOf(model: string, run: () => Promise<unknown>): Promise<ReadableSpan> {
  await run();
  for (let i = 0; i < 200; i++) {
    await t.flushed();
    const span = o.spans().find((s) => s.attributes["gen_ai.request.model"] === model);
    if (span) return span;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no span for ${model}`);
}

const drain = async (stream: AsyncIterable<unknown>) => {
  for await (const _ of stream) void _;
};
const ids = (s: ReadableSpan) => [
  s.attributes["gen_ai.response.id"],
  s.attributes["gen_ai.response.finish_reasons"],
];

describe("response id and finish reasons on the span", () => {
  it("OpenAI Chat Completions, plain and streamed", async () => {
    const client = new openai.OpenAI({ apiKey: "sk-test", baseURL: servers.openai.baseURL, maxRetries: 0 });
    const messages = [{ role: "user", content: "Hi" }];
    const plain = await spanOf("gpt-4o", () => client.chat.completions.create({ model: "gpt-4o", messages }));
    expect(ids(plain)).toEqual(["chatcmpl-fake123", ["stop"]]);
    const streamed = await spanOf("gpt-4o-mini", async () =>
      drain(await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true })),
    );
    expect(ids(streamed)).toEqual(["chatcmpl-fake123", ["stop"]]);
  });

  it("OpenAI Responses, plain and streamed: the status stands in for the missing finish reason", async () => {
    const client = new openai.OpenAI({ apiKey: "sk-test", baseURL: servers.openai.baseURL, maxRetries: 0 });
    const plain = await spanOf("gpt-4.1", () => client.responses.create({ model: "gpt-4.1", input: "Hi" }));
    expect(ids(plain)).toEqual(["resp_fake123", ["completed"]]);
    const streamed = await spanOf("gpt-4.1-mini", async () =>
      drain(await client.responses.create({ model: "gpt-4.1-mini", input: "Hi", stream: true })),
    );
    expect(ids(streamed)).toEqual(["resp_fake123", ["completed"]]);
  });

  it("Anthropic Messages, plain and streamed", async () => {
    const client = new Anthropic({ apiKey: "sk-ant-test", baseURL: servers.anthropic.url, maxRetries: 0 });
    const params = { max_tokens: 64, messages: [{ role: "user" as const, content: "Hi" }] };
    const plain = await spanOf("claude-sonnet-4-6", () =>
      client.messages.create({ model: "claude-sonnet-4-6", ...params }),
    );
    expect(ids(plain)).toEqual(["msg_01XFDUDYJgAACzvnptvVoYEL", ["end_turn"]]);
    const streamed = await spanOf("claude-haiku-4-5", async () =>
      drain(await client.messages.create({ model: "claude-haiku-4-5", ...params, stream: true })),
    );
    expect(ids(streamed)).toEqual(["msg_01XFDUDYJgAACzvnptvVoYEL", ["end_turn"]]);
  });

  it("Gemini through @google/genai (plain) and @google/generative-ai (streamed)", async () => {
    const ai = new genai.GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: servers.gemini.url } });
    const plain = await spanOf("gemini-2.5-flash", () =>
      ai.models.generateContent({ model: "gemini-2.5-flash", contents: "Hi" }),
    );
    expect(plain.attributes["gen_ai.response.id"]).toEqual(expect.any(String));
    expect(plain.attributes["gen_ai.response.finish_reasons"]).toEqual(["STOP"]);
    const model = new legacy.GoogleGenerativeAI("test-key").getGenerativeModel(
      { model: "gemini-2.5-pro" },
      { baseUrl: servers.gemini.url },
    );
    const streamed = await spanOf("gemini-2.5-pro", async () => {
      const r = await model.generateContentStream("Hi");
      await drain(r.stream);
      await r.response;
    });
    expect(streamed.attributes["gen_ai.response.id"]).toEqual(expect.any(String));
    expect(streamed.attributes["gen_ai.response.finish_reasons"]).toEqual(["STOP"]);
  });

  it("Bedrock Converse, plain and streamed: stop reason, no answer id (the request id is apart)", async () => {
    const client = new bedrock.BedrockRuntimeClient({
      endpoint: servers.bedrock.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret-example" },
      maxAttempts: 1,
    });
    const messages = [{ role: "user" as const, content: [{ text: "Hi" }] }];
    const plainModel = "anthropic.claude-3-5-sonnet-20241022-v2:0";
    const plain = await spanOf(plainModel, () =>
      client.send(new bedrock.ConverseCommand({ modelId: plainModel, messages })),
    );
    expect(ids(plain)).toEqual([undefined, ["end_turn"]]);
    expect(plain.attributes["tokenledger.request_id"]).toEqual(expect.any(String));
    const streamModel = "anthropic.claude-3-5-haiku-20241022-v1:0";
    const streamed = await spanOf(streamModel, async () => {
      const r = await client.send(new bedrock.ConverseStreamCommand({ modelId: streamModel, messages }));
      await drain(r.stream!);
    });
    expect(ids(streamed)).toEqual([undefined, ["end_turn"]]);
  });
});
