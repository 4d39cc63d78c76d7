import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { StorageError, TokenTracker, type LedgerEvent, type StorageAdapter } from "tokenledger";
import { httpStorage, type HttpStorage, type HttpStorageOptions } from "tokenledger/http";
import { spoolFileName, THIS_HOST } from "../../adapters/http/spool-files.js";
import { sqliteStorage } from "tokenledger/sqlite";
import { ledgerEvent } from "../cli/seed.js";
import { startTestLedgerServer, type TestLedgerServer } from "../helpers/ledger-test-server.js";

const root = mkdtempSync(join(tmpdir(), "tl-http-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: Partial<HttpStorageOptions> = {}): Promise<{
  server: TestLedgerServer;
  ledger: StorageAdapter;
  client: HttpStorage;
  spoolDir: string;
  logs: string[];
}> {
  const dir = join(root, `case-${++n}`);
  const ledger = sqliteStorage({ path: join(dir, "server.db") });
  await ledger.init();
  const server = await startTestLedgerServer({ storage: ledger });
  const logs: string[] = [];
  const spoolDir = join(dir, "spool");
  const client = httpStorage({
    url: server.url,
    apiKey: server.apiKey,
    spoolDir,
    retry: { baseMs: 20, maxMs: 100 },
    requestTimeoutMs: 2000,
    logger: { warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    ...opts,
  });
  await client.init();
  cleanups.push(async () => {
    await client.close();
    await server.close();
    await ledger.close();
  });
  return { server, ledger, client, spoolDir, logs };
}

const events = (count: number, cost = "0.001") =>
  Array.from({ length: count }, (_, i) =>
    ledgerEvent({
      at: new Date(Date.UTC(2026, 10, 1, 12) + i * 1000).toISOString(),
      costUsd: cost,
      unpriced: false,
    }),
  );

async function totals(ledger: StorageAdapter) {
  return (await ledger.rollup({ since: new Date(0) })).totals;
}

describe("tokenledger/http: delivery to the server", () => {
  it("a tracker's events arrive once each, with exact cost", async () => {
    const { server, ledger, client } = await setup();
    const tracker = new TokenTracker({ storage: client, logger: false, maxBatchSize: 50 });
    for (let i = 0; i < 230; i++)
      tracker.record({
        provider: "openai",
        model: "gpt-4o",
        usage: { uncachedInputTokens: 3 },
        costUsd: "0.000000000333",
      });
    const r = await tracker.flush();
    expect(r.persisted).toBe(230);
    expect(server.counts.created).toBe(230);
    const t = await totals(ledger);
    expect(t.events).toBe(230);
    expect(t.costUsd).toBe("0.00000007659"); // 230 × 0.000000000333, exact
    expect(t.uncachedInputTokens).toBe(690);
    await tracker.shutdown();
  });

  it("a 400 refuses the whole batch without a retry loop: the adapter reports a row error naming the field", async () => {
    const { server, ledger, client } = await setup();
    const batch = events(10).map((e, i) => (i === 6 ? { ...e, timestamp: new Date(Number.NaN) } : e));
    const err = await client.insertBatch(batch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).kind).toBe("row");
    expect((err as Error).message).toContain("events[6].timestamp");
    expect(server.counts.requests).toBe(1);
    expect((await totals(ledger)).events).toBe(0); // nothing half-written
    expect(client.stats().spooledEvents).toBe(0); // a refused batch is not spooled (it would be refused again)
  });

  it("through the tracker, a refused event is isolated and dropped as `rejected`; the rest arrive; no endless loop", async () => {
    const { server, ledger, client } = await setup();
    const badId = "bad-event";
    // Stands for any event the server refuses (its validation stricter than the SDK's): the timestamp is broken
    // on the way out, so the server answers 400 for whichever batch carries it.
    const corrupting: StorageAdapter = {
      kind: "http",
      init: () => client.init(),
      insertBatch: (es: readonly LedgerEvent[]) =>
        client.insertBatch(es.map((e) => (e.id === badId ? { ...e, timestamp: new Date(Number.NaN) } : e))),
      rollup: () => client.rollup(),
      latency: () => client.latency(),
      events: (q) => client.events(q),
      close: () => client.close(),
    };
    const tracker = new TokenTracker({ storage: corrupting, logger: false, maxBatchSize: 16 });
    for (let i = 0; i < 16; i++)
      tracker.record({ id: i === 9 ? badId : undefined, provider: "openai", model: "m", costUsd: "0.01" });
    const r = await tracker.flush({ timeoutMs: 10_000 });
    expect(r.timedOut).toBe(false);
    expect(tracker.stats().dropped.rejected).toBe(1);
    expect(r.persisted).toBe(15);
    expect((await totals(ledger)).costUsd).toBe("0.15");
    // Halving 16 down to the one bad event: a handful of requests, not a loop.
    expect(server.counts.requests).toBeLessThanOrEqual(12);
    await tracker.shutdown();
  });

  it("server down: batches go to the spool at once; server back: flushSpool delivers each exactly once", async () => {
    const { server, ledger, client, spoolDir } = await setup();
    await server.stop();
    await client.insertBatch(events(40));
    await client.insertBatch(events(40).map((e) => ({ ...e, model: "other" })));
    expect(client.stats().spooledEvents).toBe(80);
    expect(readdirSync(spoolDir).length).toBeGreaterThan(0);
    await server.start();
    const r = await client.flushSpool();
    expect(r.error).toBeNull();
    // Delivered by this call or by the background retry that may have fired first: 80 either way, once each.
    expect(client.stats().replayedEvents).toBe(80);
    expect(server.counts.created).toBe(80);
    expect((await client.flushSpool()).delivered).toBe(0); // nothing left, nothing sent twice
    expect(server.counts.duplicates).toBe(0);
    expect((await totals(ledger)).costUsd).toBe("0.08");
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("a torn last line (crash mid-write) is skipped and counted; the lines before it are delivered", async () => {
    const { server, client, spoolDir } = await setup();
    await server.stop();
    await client.insertBatch(events(5));
    await client.insertBatch(events(5).map((e) => ({ ...e, model: "b" })));
    await client.close(); // seals the file: r_<id>.ndjson
    const [file] = readdirSync(spoolDir);
    appendFileSync(join(spoolDir, file!), '{"v":1,"events":[{"id":"torn","timest');
    await server.start();
    const next = httpStorage({ url: server.url, apiKey: server.apiKey, spoolDir, logger: false });
    await next.init();
    const r = await next.flushSpool();
    await next.close();
    expect(r.delivered).toBe(10);
    expect(next.stats().skippedLines).toBe(1);
    expect(server.counts.created).toBe(10);
  });

  it("a file claimed by a process that died mid-send is claimed again and sent (once more: the server dedupes)", async () => {
    const { server, ledger, client, spoolDir } = await setup();
    const batch = events(6);
    await client.insertBatch(batch.slice(0, 2)); // delivered before the "crash"
    const line = `${JSON.stringify({ v: 1, events: batch })}\n`;
    const deadPid = 2 ** 22 + 4321; // above Linux's pid_max: no such process
    const name = spoolFileName({ state: "c", host: THIS_HOST, pid: deadPid, id: "0000000000deadbeef" });
    writeFileSync(join(spoolDir, name), line);
    const r = await client.flushSpool();
    expect(r.error).toBeNull();
    expect(r.delivered).toBe(6);
    expect(server.counts.created).toBe(6);
    expect(server.counts.duplicates).toBe(2);
    expect((await totals(ledger)).events).toBe(6);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("a spooled event the server refuses is dropped after isolating it; replay finishes", async () => {
    const { server, client, spoolDir, logs } = await setup();
    await server.stop();
    const batch = events(8);
    await client.insertBatch(batch);
    await client.close();
    const [file] = readdirSync(spoolDir);
    const path = join(spoolDir, file!);
    writeFileSync(path, readFileSync(path, "utf8").replace(batch[3]!.timestamp.toISOString(), "not a date"));
    await server.start();
    const next = httpStorage({
      url: server.url,
      apiKey: server.apiKey,
      spoolDir,
      logger: { warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    });
    const r = await next.flushSpool();
    await next.close();
    expect(r.error).toBeNull();
    expect(next.stats().rejectedEvents).toBe(1);
    expect(server.counts.created).toBe(7);
    expect(logs.some((l) => l.includes(batch[3]!.id) && l.includes("events[0].timestamp"))).toBe(true);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it("the spool is bounded: past maxSpoolBytes a batch is refused (counted) and handed back to the tracker", async () => {
    const { server, client } = await setup({ maxSpoolBytes: 20_000 });
    await server.stop();
    let refusedError: unknown;
    for (let i = 0; i < 10 && !refusedError; i++)
      await client.insertBatch(events(10)).catch((e: unknown) => (refusedError = e));
    expect(refusedError).toBeInstanceOf(StorageError);
    expect((refusedError as StorageError).kind).toBe("transient"); // the tracker keeps it queued and retries
    expect((refusedError as Error).message).toMatch(/spool/);
    const s = client.stats();
    expect(s.refusedEvents).toBe(10);
    expect(s.pendingBytes).toBeLessThanOrEqual(20_000);
  });

  it("the API key is never written to the spool or the logs (canary)", async () => {
    const { server, client, spoolDir, logs } = await setup();
    await server.stop();
    await client.insertBatch(events(3));
    await client.close();
    const files = readdirSync(spoolDir).map((f) => readFileSync(join(spoolDir, f), "utf8"));
    expect(files.join("")).not.toContain(server.apiKey);
    expect(logs.join("\n")).not.toContain(server.apiKey);
    expect(files.join("").length).toBeGreaterThan(0);
  });

  it("a wrong key is a 401: batches are kept in the spool, one clear error is logged", async () => {
    const { server, client, logs } = await setup({
      apiKey: "tl_wrongkey_0000000000000000000000000000000000",
    });
    await client.insertBatch(events(4));
    await client.insertBatch(events(4));
    expect(server.counts.created).toBe(0);
    expect(client.stats().spooledEvents).toBe(8);
    const authLogs = logs.filter((l) => l.includes("401"));
    expect(authLogs).toHaveLength(1);
    expect(authLogs[0]).toMatch(/apiKey option or TOKENLEDGER_API_KEY/);
  });
});

describe("tokenledger/http: an unusable spool directory", () => {
  it("does not stop delivery; failures then go back to the tracker's queue", async () => {
    const dir = join(root, "blocked");
    writeFileSync(dir, "a file where the spool directory should be");
    const ledger = sqliteStorage({ path: join(root, "blocked.db") });
    await ledger.init();
    const server = await startTestLedgerServer({ storage: ledger });
    const logs: string[] = [];
    const client = httpStorage({
      url: server.url,
      apiKey: server.apiKey,
      spoolDir: join(dir, "spool"),
      logger: { warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    });
    try {
      await client.init();
      expect(logs.join("\n")).toMatch(/spool directory .* is not usable/);
      await client.insertBatch(events(3));
      expect(server.counts.created).toBe(3);
      await server.stop();
      const err = await client.insertBatch(events(2)).catch((e: unknown) => e);
      expect((err as StorageError).kind).toBe("transient");
      expect(client.stats().refusedEvents).toBe(2);
    } finally {
      await client.close();
      await server.close();
      await ledger.close();
    }
  });
});

describe("tokenledger/http: a server slower than the client's timeout", () => {
  it("the batch it wrote after the client gave up is resent from the spool and answered `duplicate`, totals exact", async () => {
    const dir = join(root, "slow");
    const ledger = sqliteStorage({ path: join(dir, "server.db") });
    await ledger.init();
    // Two real servers over one ledger: a slow one the first client times out on, a prompt one for the replay.
    const slow = await startTestLedgerServer({ storage: ledger, responseDelayMs: 1500 });
    const prompt = await startTestLedgerServer({ storage: ledger });
    const spoolDir = join(dir, "spool");
    // One event without a price (`costUsd: null` on the wire: the server has no price for it either, so it stays unpriced).
    const batch = Array.from({ length: 5 }, (_, i) =>
      ledgerEvent({
        at: new Date(Date.UTC(2026, 10, 1, 12) + i * 1000).toISOString(),
        model: i === 4 ? "mystery" : "gpt-4o",
        costUsd: i === 4 ? null : "0.002",
        unpriced: i === 4,
        usage: { uncachedInputTokens: 1000 },
      }),
    );
    const first = httpStorage({
      url: slow.url,
      apiKey: slow.apiKey,
      spoolDir,
      requestTimeoutMs: 300,
      logger: false,
    });
    const second = httpStorage({ url: prompt.url, apiKey: prompt.apiKey, spoolDir, logger: false });
    try {
      await first.init();
      await first.insertBatch(batch); // times out: spooled
      expect(first.stats().spooledEvents).toBe(5);
      await first.close();
      // The slow server still writes the batch once its delay is over.
      for (let i = 0; i < 100 && slow.counts.created < 5; i++) await new Promise((r) => setTimeout(r, 50));
      expect(slow.counts.created).toBe(5);
      const before = await totals(ledger);
      expect(before.unpricedEvents).toBe(1);
      expect(before.costUsd).toBe("0.008");

      await second.init();
      const r = await second.flushSpool();
      expect(r.error).toBeNull();
      expect(r.delivered).toBe(5);
      expect(prompt.counts.duplicates).toBe(5);
      expect(prompt.counts.conflicts).toBe(0);
      expect(prompt.counts.created).toBe(0);
      const after = await totals(ledger);
      expect(after.events).toBe(5);
      expect(after.costUsd).toBe(before.costUsd);
      expect(readdirSync(spoolDir)).toEqual([]);
    } finally {
      await second.close();
      await slow.close();
      await prompt.close();
      await ledger.close();
    }
  }, 30_000);
});
