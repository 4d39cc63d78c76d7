import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { QuotaSnapshot, StorageAdapter } from "tokenledger";
import { memoryStorage } from "tokenledger/memory";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";

const snap = (used: string | null, at: string, window: QuotaSnapshot["window"] = "daily"): QuotaSnapshot => ({
  provider: "openrouter",
  accountId: "u:k",
  window,
  used,
  limit: "10",
  unit: "usd",
  unlimited: false,
  resetAt: "2026-12-02T00:00:00.000Z",
  source: "/api/v1/key",
  note: null,
  fetchedAt: new Date(at).toISOString(),
});

/** The same contract on every store: one row per change, latest per series, a series in order, exact text. */
function historyContract(open: () => Promise<StorageAdapter>) {
  it("keeps one row per change, the latest per series, and amounts as exact decimal text", async () => {
    const storage = await open();
    const h = storage.quotaHistory!;
    expect(
      await h.save([snap("1.10", "2026-12-01T10:00:00Z"), snap(null, "2026-12-01T10:00:00Z", "balance")]),
    ).toBe(2);
    expect(
      await h.save([snap("1.10", "2026-12-01T10:01:00Z"), snap(null, "2026-12-01T10:01:00Z", "balance")]),
    ).toBe(0);
    expect(await h.save([snap("2.000000001", "2026-12-01T10:02:00Z")])).toBe(1);
    expect(await h.save([snap("1.10", "2026-12-01T10:03:00Z")])).toBe(1);
    const series = await h.series("openrouter", "u:k", "daily");
    expect(series.map((s) => s.used)).toEqual(["1.10", "2.000000001", "1.10"]);
    const latest = await h.latest();
    expect(latest.find((s) => s.window === "daily")).toMatchObject({
      used: "1.10",
      fetchedAt: "2026-12-01T10:03:00.000Z",
    });
    expect(latest.find((s) => s.window === "balance")).toMatchObject({ used: null, limit: "10" });
    expect(await h.series("openrouter", "u:k", "daily", Date.parse("2026-12-01T10:02:00Z"))).toHaveLength(2);
    await storage.close();
  });
}

describe("quota history [memory]", () => historyContract(async () => memoryStorage()));

describe("quota history [sqlite file]", () => {
  const dir = mkdtempSync(join(tmpdir(), "tl-quota-"));
  historyContract(async () => {
    const s = sqliteStorage({ path: join(dir, `l-${Math.random()}.db`) });
    await s.init();
    return s;
  });
});

describePg("quota history", () => {
  const schema = uniqueSchema("tl_quota");
  afterAll(() => dropSchema(pgUrl()!, schema));
  historyContract(async () => {
    const s = postgresStorage({ connectionString: pgUrl()!, schema });
    await s.init();
    return s;
  });
});
