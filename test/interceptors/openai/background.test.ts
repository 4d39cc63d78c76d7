import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenTracker, type LedgerEvent } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { startOpenAIServer, type OpenAIFakeServer } from "../../helpers/openai-server.js";
import { backgroundWaiting } from "../../../interceptors/openai/background.js";
import { openaiInterceptor } from "../../../interceptors/openai/index.js";
import {
  DEFAULT_BUCKETS,
  GPT4O_DEFAULT_COST,
  eventsAfter,
  harness,
  patch,
  require,
  testPricer,
} from "./support.js";

/**
 * Responses `background: true` through the real openai SDK: one event per response, pending (usage missing)
 * when created, completed in place (same id) when the app retrieves or streams the response by id.
 */
const OpenAI = require("openai").OpenAI;
let server: OpenAIFakeServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
});

const setup = (options = {}) => {
  const h = harness({ baseURLProviders: { "127.0.0.1": "openai" }, ...options });
  const set = patch(require("openai"), h);
  const client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
  return { h, client, done: () => set.restore() };
};

const waitFor = async (check: () => Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
};

describe("OpenAI Responses background mode", () => {
  it("records pending at create, then completes the SAME event on retrieve (one row)", async () => {
    const { h, client, done } = setup();
    try {
      server.backgroundPolls = 1;
      const created = await client.responses.create({ model: "gpt-4o", input: "Hi", background: true });
      expect(created.status).toBe("queued");
      const [pending] = await eventsAfter(h, 1);
      expect(pending).toMatchObject({ status: "ok", usageSource: "missing", costUsd: null });
      expect(pending!.metadata).toMatchObject({
        background: true,
        responseId: created.id,
        responseStatus: "queued",
      });

      const running = await client.responses.retrieve(created.id); // still in_progress: nothing changes
      expect(running.status).toBe("in_progress");
      expect((await h.flushed())[0]!.usageSource).toBe("missing");

      const finished = await client.responses.retrieve(created.id);
      expect(finished.status).toBe("completed");
      await client.responses.retrieve(created.id); // a second read must not add or change anything
      await waitFor(async () => (await h.flushed())[0]!.usageSource === "provider");
      const events = await h.flushed();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        id: pending!.id,
        status: "ok",
        usageSource: "provider",
        costUsd: GPT4O_DEFAULT_COST,
        model: "gpt-4o-2024-08-06",
        operation: "responses",
      });
      expect(events[0]!.usage).toMatchObject(DEFAULT_BUCKETS);
      expect(events[0]!.metadata).toMatchObject({ responseStatus: "completed", responseId: created.id });
      expect(backgroundWaiting()).toBe(0);
    } finally {
      server.backgroundPolls = 0;
      done();
    }
  });

  it("completes on a streamed retrieve (responses.stream({ response_id })) and on a failed response", async () => {
    const { h, client, done } = setup();
    try {
      const a = await client.responses.create({ model: "gpt-4o", input: "Hi", background: true });
      const b = await client.responses.create({ model: "failed", input: "Hi", background: true });
      const stream = client.responses.stream({ response_id: a.id });
      for await (const _ of stream);
      for await (const _ of await client.responses.retrieve(b.id, { stream: true }));
      await waitFor(async () => (await h.flushed()).every((e) => e.usageSource === "provider"));
      const events = await h.flushed();
      expect(events.map((e) => [e.metadata?.responseId, e.status, e.usageSource, e.costUsd])).toEqual([
        [a.id, "ok", "provider", GPT4O_DEFAULT_COST],
        [b.id, "error", "provider", null],
      ]);
      expect(events[1]).toMatchObject({ errorType: "ResponseFailedError" });
      expect(events[1]!.usage).toMatchObject(DEFAULT_BUCKETS);
    } finally {
      done();
    }
  });

  it("polls with the app's client only when openaiBackgroundPoll is set", async () => {
    const off = setup();
    try {
      const before = server.requests.length;
      await off.client.responses.create({ model: "gpt-4o", input: "Hi", background: true });
      await new Promise((r) => setTimeout(r, 100));
      expect(server.requests.length - before).toBe(1); // no request the app did not make
      expect((await off.h.flushed())[0]!.usageSource).toBe("missing");
    } finally {
      off.done();
    }
    const on = setup({ openaiBackgroundPoll: { intervalMs: 20 } });
    try {
      server.backgroundPolls = 2;
      const before = server.requests.length;
      const r = await on.client.responses.create({ model: "gpt-4o", input: "Hi", background: true });
      await waitFor(async () => (await on.h.flushed())[0]?.usageSource === "provider");
      const gets = server.requests.slice(before).filter((q) => q.method === "GET");
      expect(gets.map((q) => q.path)).toEqual(Array(3).fill(`/v1/responses/${r.id}`));
      expect(gets[0]!.headers.authorization).toBe("Bearer sk-test");
      const events = await on.h.flushed();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ usageSource: "provider", costUsd: GPT4O_DEFAULT_COST });
    } finally {
      server.backgroundPolls = 0;
      on.done();
    }
  });

  it("stores one row in a real SQLite file (the tracker's revise() overwrites the pending row)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tl-bg-"));
    const tracker = new TokenTracker({
      logger: false,
      autoFlushOnExit: false,
      pricer: testPricer,
      storage: sqliteStorage({ path: join(dir, "ledger.db") }),
    });
    const set = openaiInterceptor.patchModule(require("openai"), {
      sink: () => tracker,
      options: {},
      warnOnce: () => undefined,
    })!;
    try {
      const client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
      const r = await client.responses.create({ model: "gpt-4o", input: "Hi", background: true });
      await tracker.flush(); // the pending row is stored before the result is known
      await client.responses.retrieve(r.id);
      await tracker.flush();
      const storage = await tracker.storage();
      const rows: LedgerEvent[] = [];
      for await (const e of storage.events({})) rows.push(e);
      expect(rows.map((e) => [e.usageSource, e.costUsd, e.metadata?.responseStatus])).toEqual([
        ["provider", GPT4O_DEFAULT_COST, "completed"],
      ]);
    } finally {
      set.restore();
      await tracker.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("interceptors.openaiBackgroundPoll option", () => {
  it("refuses a bad value with an error naming the option and why", async () => {
    const { checkInterceptorOptions } = await import("../../../src/interceptor-options.js");
    expect(() => checkInterceptorOptions({ openaiBackgroundPoll: "yes" })).toThrow(
      /"interceptors\.openaiBackgroundPoll" must be true, false or \{ intervalMs, maxWaitMs \}/,
    );
    expect(() => checkInterceptorOptions({ openaiBackgroundPoll: { intervalMs: 0 } })).toThrow(
      /"interceptors\.openaiBackgroundPoll\.intervalMs" must be a positive number of milliseconds/,
    );
    expect(() => checkInterceptorOptions({ openaiBackgroundPoll: { every: 5 } })).toThrow(
      /has unknown key "every"/,
    );
    expect(() => checkInterceptorOptions({ openaiBackgroundPoll: { intervalMs: 1000 } })).not.toThrow();
  });
});
