import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteStorage } from "tokenledger/sqlite";
import { Spool } from "../../adapters/http/spool.js";
import { ledgerEvent } from "../cli/seed.js";
import { startTestLedgerServer } from "../helpers/ledger-test-server.js";
import { childOutput, spawnChild, waitForLine } from "../storage/child-process.js";

const root = mkdtempSync(join(tmpdir(), "tl-http-spool-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function serverOn(name: string, responseDelayMs = 0) {
  const ledger = sqliteStorage({ path: join(root, `${name}.db`) });
  await ledger.init();
  const server = await startTestLedgerServer({ storage: ledger, responseDelayMs });
  return { ledger, server };
}

async function replayChild(url: string, apiKey: string, spoolDir: string, unsafe = false) {
  const out = await childOutput(
    await spawnChild("http-sender.ts", [JSON.stringify({ mode: "replay", url, apiKey, spoolDir, unsafe })]),
  );
  expect(out.code, out.stderr).toBe(0);
  return (JSON.parse(out.stdout.trim()) as { replay: { delivered: number } }).replay.delivered;
}

describe("remote ingest spool across processes", () => {
  it("a sender killed (SIGKILL) with spooled batches: the next start delivers them, exactly once", async () => {
    const { ledger, server } = await serverOn("kill");
    const spoolDir = join(root, "kill-spool");
    try {
      await server.stop(); // down while the sender records
      const child = await spawnChild("http-sender.ts", [
        JSON.stringify({ mode: "spool", url: server.url, apiKey: server.apiKey, spoolDir, count: 120 }),
      ]);
      const exit = childOutput(child);
      await waitForLine(child, "spooled");
      child.kill("SIGKILL");
      expect((await exit).signal).toBe("SIGKILL");
      // The dead writer's file is still named as its own (w_<host>_<pid>_...): never sealed, claimable now.
      expect(readdirSync(spoolDir).some((f) => f.startsWith(`w_`) && f.includes(`_${child.pid}_`))).toBe(
        true,
      );

      await server.start();
      expect(await replayChild(server.url, server.apiKey, spoolDir)).toBe(120);
      expect(await replayChild(server.url, server.apiKey, spoolDir)).toBe(0);
      expect(server.counts.created).toBe(120);
      expect(server.counts.duplicates).toBe(0);
      const totals = (await ledger.rollup({ since: new Date(0) })).totals;
      expect(totals.events).toBe(120);
      expect(totals.costUsd).toBe("0.01476");
      expect(readdirSync(spoolDir)).toEqual([]);
    } finally {
      await server.close();
      await ledger.close();
    }
  }, 60_000);

  it("process.exit() with events still queued: the exit hook spools them synchronously; the next start sends them", async () => {
    const { ledger, server } = await serverOn("exit");
    const spoolDir = join(root, "exit-spool");
    try {
      const out = await childOutput(
        await spawnChild("http-sender.ts", [
          JSON.stringify({ mode: "exit", url: server.url, apiKey: server.apiKey, spoolDir, count: 70 }),
        ]),
      );
      expect(out.code, out.stderr).toBe(0);
      expect(server.counts.created).toBe(0); // nothing had time to go out
      expect(readdirSync(spoolDir).filter((f) => f.startsWith("r_"))).toHaveLength(1);
      expect(await replayChild(server.url, server.apiKey, spoolDir)).toBe(70);
      expect((await ledger.rollup({ since: new Date(0) })).totals.events).toBe(70);
    } finally {
      await server.close();
      await ledger.close();
    }
  }, 60_000);

  // Three processes start at once on one spool directory holding 30 files. With claim-by-rename each file is sent by
  // exactly one of them; the negative control reads files in place and the same batches go out twice.
  async function raceReplay(unsafe: boolean) {
    const { ledger, server } = await serverOn(unsafe ? "race-unsafe" : "race", 25);
    const spoolDir = join(root, unsafe ? "race-unsafe-spool" : "race-spool");
    const spool = new Spool({ dir: spoolDir, maxBytes: 64 * 1024 * 1024 });
    for (let f = 0; f < 30; f++) {
      const events = Array.from({ length: 10 }, (_, i) =>
        ledgerEvent({
          at: new Date(Date.UTC(2026, 10, 1) + f * 100 + i).toISOString(),
          costUsd: "0.01",
          unpriced: false,
        }),
      );
      expect(spool.appendSync(events)).toBe(true); // one sealed file per call
    }
    try {
      const delivered = await Promise.all(
        [0, 1, 2].map(() => replayChild(server.url, server.apiKey, spoolDir, unsafe)),
      );
      const totals = (await ledger.rollup({ since: new Date(0) })).totals;
      return { delivered, counts: { ...server.counts }, events: totals.events, left: readdirSync(spoolDir) };
    } finally {
      await server.close();
      await ledger.close();
    }
  }

  it("processes replaying one spool directory never send a batch twice (claim by rename)", async () => {
    const r = await raceReplay(false);
    expect(r.delivered.reduce((a, b) => a + b, 0)).toBe(300);
    expect(r.delivered.filter((d) => d > 0).length).toBeGreaterThanOrEqual(2); // they really raced
    expect(r.counts.duplicates).toBe(0);
    expect(r.counts.created).toBe(300);
    expect(r.events).toBe(300);
    expect(r.left).toEqual([]);
  }, 60_000);

  it("negative control: without the claim, the same processes send batches twice", async () => {
    const r = await raceReplay(true);
    expect(r.counts.duplicates).toBeGreaterThan(0); // double sends, absorbed only by the server's idempotency
    expect(r.delivered.reduce((a, b) => a + b, 0)).toBeGreaterThan(300);
    expect(r.events).toBe(300);
  }, 60_000);
});
