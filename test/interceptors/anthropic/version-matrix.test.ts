/**
 * The same core behaviour against every copy users may load: the current major (`@anthropic-ai/sdk` 1.x) and the
 * previous one (0.137.x, installed as the `anthropic-v0` alias), each as its CommonJS build and its ESM build
 * (separate classes), each patched explicitly with `anthropicInterceptor.patchModule(...)`.
 */
import type AnthropicType from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorBody, message, messageEvents, sleep } from "../../helpers/anthropic-server.js";
import { BASE_PARAMS, createHarness, requireCjs, type Harness } from "./harness.js";

type Module = { Anthropic: typeof AnthropicType; APIPromise: unknown; default: unknown };

const VARIANTS: { name: string; load: () => Promise<Module> }[] = [
  { name: "@anthropic-ai/sdk 1.x ESM", load: () => import("@anthropic-ai/sdk") as Promise<Module> },
  { name: "@anthropic-ai/sdk 1.x CJS", load: async () => requireCjs("@anthropic-ai/sdk") as Module },
  { name: "@anthropic-ai/sdk 0.137 ESM", load: () => import("anthropic-v0") as unknown as Promise<Module> },
  { name: "@anthropic-ai/sdk 0.137 CJS", load: async () => requireCjs("anthropic-v0") as Module },
];

describe.each(VARIANTS)("$name", ({ load }) => {
  let h: Harness;
  let mod: Module;
  let client: AnthropicType;

  beforeAll(async () => {
    mod = await load();
    h = await createHarness();
    expect(h.patch(mod)?.size).toBe(2);
    client = new mod.Anthropic({
      apiKey: "sk-ant-test-key-000000000000",
      baseURL: h.server.url,
      maxRetries: 0,
    });
  });
  afterAll(() => h.close());

  async function recorded(fn: () => Promise<void>) {
    const before = (await h.events()).length;
    await fn();
    await h.waitFor(before + 1);
    await sleep(15);
    return (await h.events()).slice(before);
  }

  it("create: buckets with the 5m/1h split, exact cost, same APIPromise contract", async () => {
    const got = await recorded(async () => {
      h.server.enqueue({
        kind: "json",
        body: message({
          usage: {
            input_tokens: 1000,
            cache_read_input_tokens: 5000,
            cache_creation_input_tokens: 2000,
            cache_creation: { ephemeral_5m_input_tokens: 1500, ephemeral_1h_input_tokens: 500 },
            output_tokens: 300,
          },
        }),
      });
      const p = client.messages.create(BASE_PARAMS);
      expect(p).toBeInstanceOf(mod.APIPromise as never);
      const data = await p;
      expect((await p.withResponse()).data).toBe(data);
    });
    expect(got).toHaveLength(1);
    expect(got[0]!.usage).toMatchObject({
      cacheWrite5mTokens: 1500,
      cacheWrite1hTokens: 500,
      outputTokens: 300,
    });
    expect(got[0]!.costUsd).toBe("0.017625");
  });

  it("asResponse(): the raw body stays readable", async () => {
    const got = await recorded(async () => {
      h.server.enqueue({ kind: "json", body: message({ usage: { input_tokens: 9, output_tokens: 1 } }) });
      const response = await client.messages.create(BASE_PARAMS).asResponse();
      expect(JSON.parse(await response.text()).usage.input_tokens).toBe(9);
    });
    expect(got[0]!.usage.uncachedInputTokens).toBe(9);
  });

  it("stream: cumulative message_delta usage is overwritten, recorded once", async () => {
    const got = await recorded(async () => {
      h.server.enqueue({
        kind: "sse",
        events: messageEvents({
          start: { input_tokens: 50, output_tokens: 1 },
          deltas: [{ output_tokens: 10 }, { output_tokens: 25 }],
        }),
      });
      const stream = await client.messages.create({ ...BASE_PARAMS, stream: true });
      for await (const _ of stream) void _;
    });
    expect(got).toHaveLength(1);
    expect(got[0]!.usage).toMatchObject({ uncachedInputTokens: 50, outputTokens: 25 });
  });

  it("messages.stream().finalMessage() and beta.messages.create are each recorded once", async () => {
    const got = await recorded(async () => {
      h.server.enqueue({
        kind: "sse",
        events: messageEvents({
          start: { input_tokens: 5, output_tokens: 1 },
          deltas: [{ output_tokens: 7 }],
        }),
      });
      expect((await client.messages.stream(BASE_PARAMS).finalMessage()).usage.output_tokens).toBe(7);
      h.server.enqueue({ kind: "json", body: message({ usage: { input_tokens: 6, output_tokens: 2 } }) });
      await client.beta.messages.create(BASE_PARAMS);
      await h.waitFor(2);
    });
    expect(got.map((e) => e.usage.outputTokens)).toEqual([7, 2]);
  });

  it("break is recorded as aborted; a 429 rejects at await and is recorded", async () => {
    const got = await recorded(async () => {
      h.server.enqueue({
        kind: "sse",
        gapMs: 2,
        events: messageEvents({
          start: { input_tokens: 5, output_tokens: 1 },
          deltas: [{ output_tokens: 7 }],
        }),
      });
      const stream = await client.messages.create({ ...BASE_PARAMS, stream: true });
      for await (const ev of stream) if (ev.type === "content_block_delta") break;
      h.server.enqueue({
        kind: "json",
        status: 429,
        body: errorBody("rate_limit_error", "slow down"),
        headers: { "x-should-retry": "false" },
      });
      await expect(client.messages.create({ ...BASE_PARAMS, stream: true })).rejects.toMatchObject({
        status: 429,
      });
    });
    expect(got.map((e) => e.status)).toEqual(["aborted", "error"]);
  });
});
