import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { currentTracker, instrument, instrumentationReady, track, untrack } from "tokenledger";

const require = createRequire(import.meta.url);

afterEach(async () => {
  await untrack();
});

describe("track(): one process-wide tracker, every installed SDK patched once per module copy", () => {
  it("is idempotent and reports the CommonJS and ESM copies it patched", async () => {
    const a = track({ storage: ":memory:", logger: false });
    const b = track();
    expect(a).toBe(b);
    expect(currentTracker()).toBe(a);
    const report = await instrumentationReady();
    const key = (p: { packageName: string; format: string }) => `${p.packageName}:${p.format}`;
    const patched = report.patched.map(key);
    for (const pkg of [
      "openai",
      "@anthropic-ai/sdk",
      "@google/generative-ai",
      "@google/genai",
      "@aws-sdk/client-bedrock-runtime",
    ]) {
      expect(patched).toContain(`${pkg}:cjs`);
      expect(patched.filter((p) => p.startsWith(`${pkg}:`)).length).toBeLessThanOrEqual(2);
    }
    expect(new Set(patched).size).toBe(patched.length); // never the same copy twice
  });

  it("untrack() restores the original SDK methods", async () => {
    const { Completions } = require("openai/resources/chat/completions") as {
      Completions: { prototype: { create: unknown } };
    };
    const original = Completions.prototype.create;
    track({ storage: ":memory:", logger: false });
    await instrumentationReady();
    expect(Completions.prototype.create).not.toBe(original);
    await untrack();
    expect(Completions.prototype.create).toBe(original);
  });

  it("instrument() accepts an SDK client (even when already patched) and rejects anything else", async () => {
    const { default: OpenAI } = (await import("openai")) as { default: new (o: object) => object };
    track({ storage: ":memory:", logger: false, instrument: false });
    const client = new OpenAI({ apiKey: "x", baseURL: "http://127.0.0.1:9" });
    expect(instrument(client)).toBe(true);
    expect(instrument(client)).toBe(true);
    expect(instrument({})).toBe(false);
    expect(instrument(null)).toBe(false);
    expect(instrument("openai")).toBe(false);
  });
});
