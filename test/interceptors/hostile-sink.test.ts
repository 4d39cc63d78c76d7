import { createRequire } from "node:module";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openaiInterceptor } from "../../interceptors/openai/index.js";
import type { InterceptorEnv, UsageSink } from "../../interceptors/_shared/types.js";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";

// P01 with the worst tracker imaginable: every method of the sink throws.
const hostile: UsageSink = {
  record: () => {
    throw new Error("record exploded");
  },
  reportInternalError: () => {
    throw new Error("reporting exploded too");
  },
  reportAnomaly: () => {
    throw new Error("anomaly exploded");
  },
};

let server: OpenAIFakeServer;
let restore: () => void;
beforeAll(async () => {
  server = await startOpenAIServer();
  const env: InterceptorEnv = { sink: () => hostile, options: {}, warnOnce: () => {} };
  const sets = [
    openaiInterceptor.patchModule(createRequire(import.meta.url)("openai"), env),
    openaiInterceptor.patchModule(await import("openai"), env),
  ];
  restore = () => sets.forEach((s) => s?.restore());
});
afterAll(async () => {
  restore();
  await server.close();
});

describe("a sink whose every method throws never reaches the caller", () => {
  it("non-streamed and streamed calls return normally, errors stay the SDK's own", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      const client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
      const r = await client.chat.completions.create({
        model: "gpt-4o",
        messages: [{ role: "user", content: "x" }],
      });
      expect(r.choices[0]?.message.content).toBeTruthy();
      const stream = await client.chat.completions.create({
        model: "gpt-4o",
        stream: true,
        messages: [{ role: "user", content: "x" }],
      });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text.length).toBeGreaterThan(0);
      const err = await client.chat.completions
        .create({ model: "rate-limited", messages: [{ role: "user", content: "x" }] })
        .catch((e: unknown) => e);
      expect((err as { status?: number }).status).toBe(429);
      expect(err).toBeInstanceOf(OpenAI.RateLimitError);
      await new Promise((r2) => setTimeout(r2, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
