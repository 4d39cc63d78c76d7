import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failover, type ProviderHealthRow, type ProviderHealthStore } from "tokenledger/failover";
import { childOutput, spawnChild, waitForLine } from "../storage/child-process.js";
import { startFaultyUpstream, type FaultyUpstream } from "../helpers/faulty-upstream.js";
import { dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { require } from "../interceptors/openai/support.js";

const { OpenAI } = require("openai");
const dir = mkdtempSync(join(tmpdir(), "tl-failover-share-"));
const schemas: string[] = [];
let primary: FaultyUpstream;
let fallback: FaultyUpstream;

beforeAll(async () => {
  primary = await startFaultyUpstream("openai", "primary");
  fallback = await startFaultyUpstream("openai", "fallback");
  primary.mode = "500";
});
afterAll(async () => {
  await primary.close();
  await fallback.close();
  rmSync(dir, { recursive: true, force: true });
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

interface Watched {
  seenOpenAt: number | null;
  stateAtCall: string;
  answer: string;
}

const lastJson = <T>(out: string): T => JSON.parse(out.trim().split("\n").pop()!) as T;
let runs = 0;

/**
 * Two processes on one ledger: `watch` starts first and idles; `trip` opens the primary's breaker (3 × 500);
 * one second after that, `watch` makes one call. Returns how often `watch` contacted the dead primary.
 */
async function siblings(ledger: [string, string, string], share: "on" | "off") {
  const goFile = join(dir, `go-${++runs}.json`);
  const args = (role: string) => [role, ...ledger, primary.baseURL, fallback.baseURL, share, goFile];
  const watcher = await spawnChild("failover-share-peer.ts", args("watch"));
  const watching = childOutput(watcher);
  await waitForLine(watcher, "ready");
  const hitsBefore = primary.hits;
  const trip = await childOutput(await spawnChild("failover-share-peer.ts", args("trip")));
  expect(trip.code, trip.stderr).toBe(0);
  const { openedAt } = lastJson<{ openedAt: number }>(trip.stdout);
  expect(primary.hits - hitsBefore).toBe(3); // the tripping process paid 3 attempts
  const hitsAfterTrip = primary.hits;
  // Written aside then renamed: the watcher polls for the file and must never read it half written.
  writeFileSync(`${goFile}.tmp`, JSON.stringify({ callAt: openedAt + 1000 }));
  renameSync(`${goFile}.tmp`, goFile);
  const watch = await watching;
  expect(watch.code, watch.stderr).toBe(0);
  const w = lastJson<Watched>(watch.stdout);
  return { primaryAttempts: primary.hits - hitsAfterTrip, w, openedAt };
}

function sharedCases(ledger: () => [string, string, string]) {
  it("a sibling skips the target another process found dead, within a second", async () => {
    const { primaryAttempts, w, openedAt } = await siblings(ledger(), "on");
    expect(w.stateAtCall).toBe("open");
    expect(primaryAttempts).toBe(0);
    expect(w.answer).toBe("answer from fallback");
    expect(w.seenOpenAt).not.toBeNull();
    expect(w.seenOpenAt! - openedAt).toBeLessThan(1000);
  }, 60_000);

  it("negative control: with sharing off, the sibling still attempts the dead target", async () => {
    const { primaryAttempts, w } = await siblings(ledger(), "off");
    expect(w.stateAtCall).toBe("closed");
    expect(primaryAttempts).toBe(1);
    expect(w.answer).toBe("answer from fallback");
  }, 60_000);
}

describe("shared breaker state across processes [sqlite]", () => {
  sharedCases(() => ["sqlite", join(dir, `ledger-${runs}.db`), "-"]);
});

describe("shared breaker state across processes [postgres]", () => {
  sharedCases(() => {
    const url = pgUrl();
    expect(url, "PostgreSQL must be reachable for this test").not.toBeNull();
    const schema = uniqueSchema("tl_share");
    schemas.push(schema);
    return ["postgres", url!, schema];
  });
});

describe("the share side channel never reaches a call", () => {
  it("a store whose writes and reads fail: calls still fail over, failures are only counted", async () => {
    const broken: ProviderHealthStore = {
      write: () => Promise.reject(new Error("disk full")),
      readSince: (): Promise<ProviderHealthRow[]> => Promise.reject(new Error("gone")),
    };
    const client = failover({
      name: "broken-share",
      record: () => {},
      share: { store: broken, pollMs: 20 },
      targets: [
        { provider: "openai", name: "p", client: new OpenAI({ apiKey: "a", baseURL: primary.baseURL }) },
        { provider: "openai", name: "f", client: new OpenAI({ apiKey: "b", baseURL: fallback.baseURL }) },
      ],
    });
    const messages = [{ role: "user" as const, content: "Hi" }];
    for (let i = 0; i < 4; i++) {
      const r = await client.chat.completions.create({ model: "gpt-4o", messages });
      expect(r.choices[0]?.message.content).toBe("answer from fallback");
    }
    await new Promise((r) => setTimeout(r, 100));
    const { groupOf } = await import("tokenledger/failover");
    const stats = groupOf(client)!.shared!;
    expect(stats.writes).toBe(1);
    expect(stats.writeErrors).toBe(1);
    expect(stats.readErrors).toBeGreaterThan(0);
  });

  it("refuses a store without write/readSince and a non-positive pollMs, naming the field", () => {
    const targets = [{ provider: "openai", client: new OpenAI({ apiKey: "a", baseURL: primary.baseURL }) }];
    expect(() => failover({ name: "g", targets, share: { store: {} as never } })).toThrow(/share\.store/);
    const store = { write: async () => {}, readSince: async () => [] };
    expect(() => failover({ name: "g", targets, share: { store, pollMs: 0 } })).toThrow(/share\.pollMs/);
  });
});
