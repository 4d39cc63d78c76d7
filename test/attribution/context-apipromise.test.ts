import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { instrument, track, untrack, withContext } from "tokenledger";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";

// Regression: a scope around an SDK call must not start the APIPromise's lazy body parse
// ("Body has already been read" for callers using .asResponse()).
let server: OpenAIFakeServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await untrack();
  await server.close();
});

describe("withContext around an APIPromise", () => {
  it("leaves the raw body readable through .asResponse() and still attributes the call", async () => {
    const tracker = track({ storage: ":memory:", instrument: false, logger: false });
    const client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
    instrument(client);
    const p = withContext({ userId: "raw-reader" }, () =>
      client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(typeof p.asResponse).toBe("function");
    await new Promise((r) => setTimeout(r, 20)); // give an eager observer time to misbehave
    const raw = await p.asResponse();
    const body = (await raw.json()) as { usage: { prompt_tokens: number } };
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    // The asResponse()-only path records after reading a clone of the body.
    await vi.waitFor(() => expect(tracker.stats().recorded).toBe(1));
    await tracker.flush();
    const storage = await tracker.storage();
    const { rows } = await storage.rollup({ groupBy: ["user"] });
    expect(rows.map((r) => r.user)).toEqual(["raw-reader"]);
  });

  it("an awaited APIPromise inside a scope resolves to the same data as withResponse()", async () => {
    const client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
    const p = withContext({ userId: "u2" }, () =>
      client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    );
    const data = await p;
    const { data: again } = await p.withResponse();
    expect(again).toBe(data);
  });
});
