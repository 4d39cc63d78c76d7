import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { postgresStorage } from "tokenledger/postgres";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { startTestLedgerServer } from "../helpers/ledger-test-server.js";
import { childOutput, spawnChild, waitForLine } from "../storage/child-process.js";

const dir = mkdtempSync(join(tmpdir(), "tl-http-mp-"));
const schema = uniqueSchema("tl_http_mp");
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const url = pgUrl();
  if (url) await dropSchema(url, schema);
});

interface SenderStats {
  stats: { persisted: number; dropped: Record<string, number>; http: { spooledEvents: number } };
}

describePg("remote ingest: 4 processes into one server backed by PostgreSQL", () => {
  it("totals are exact although the server restarts mid-run; nothing is lost or counted twice", async () => {
    const ledger = postgresStorage({ connectionString: pgUrl()!, schema });
    await ledger.init();
    const server = await startTestLedgerServer({ storage: ledger });
    const spoolDir = join(dir, "shared-spool"); // all four share one spool directory
    const PER = 400;
    try {
      const children = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          spawnChild("http-sender.ts", [
            JSON.stringify({
              mode: "send",
              url: server.url,
              apiKey: server.apiKey,
              spoolDir,
              count: PER,
              team: `team${i}`,
              slow: true,
            }),
          ]),
        ),
      );
      const outputs = children.map((c) => childOutput(c));
      await Promise.all(children.map((c) => waitForLine(c, "started")));
      // Restart while the four are sending.
      await server.stop();
      await new Promise((r) => setTimeout(r, 400));
      await server.start();
      const results = await Promise.all(outputs);
      const stats = results.map((r) => {
        expect(r.code, r.stderr).toBe(0);
        return (JSON.parse(r.stdout.trim().split("\n").pop()!) as SenderStats).stats;
      });
      for (const s of stats) {
        expect(s.persisted).toBe(PER); // delivered or spooled: nothing dropped
        expect(Object.values(s.dropped).reduce((a, b) => a + b, 0)).toBe(0);
      }
      // The restart really happened mid-run: some batches had to wait in the spool.
      expect(stats.reduce((a, s) => a + s.http.spooledEvents, 0)).toBeGreaterThan(0);

      // Whatever was still spooled when a sender exited goes out with the next start.
      const replay = await childOutput(
        await spawnChild("http-sender.ts", [
          JSON.stringify({ mode: "replay", url: server.url, apiKey: server.apiKey, spoolDir }),
        ]),
      );
      expect(replay.code, replay.stderr).toBe(0);
      expect(readdirSync(spoolDir)).toEqual([]);

      const result = await ledger.rollup({ since: new Date(0), groupBy: ["team"] });
      expect(result.totals.events).toBe(4 * PER);
      expect(result.totals.costUsd).toBe("0.1968"); // 1600 × 0.000123, exact
      expect(result.rows.map((r) => [r.team, r.events]).sort()).toEqual([
        ["team0", PER],
        ["team1", PER],
        ["team2", PER],
        ["team3", PER],
      ]);
      expect(server.counts.created).toBe(4 * PER);
    } finally {
      await server.close();
      await ledger.close();
    }
  }, 90_000);
});
