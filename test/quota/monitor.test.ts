import { afterEach, describe, expect, it } from "vitest";
import { memoryStorage } from "tokenledger/memory";
import { jitteredInterval, QuotaMonitor } from "../../src/quota/monitor.js";
import type { ResolvedAccount } from "../../src/quota/accounts.js";
import * as cp from "../fixtures/quota/copilot.js";
import * as or from "../fixtures/quota/openrouter.js";
import { fakeQuotaServer } from "./fake-quota-server.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
async function serve(routes: Parameters<typeof fakeQuotaServer>[0]) {
  const s = await fakeQuotaServer(routes);
  closers.push(s.close);
  return s;
}

const orAccount: ResolvedAccount = {
  account: { provider: "openrouter", accountId: "user_2x9:k", label: "k" },
  secret: "sk-or-v1-x",
};
const cpAccount: ResolvedAccount = {
  account: { provider: "copilot", accountId: "583231", label: "octo" },
  secret: "ghu_x",
};

describe("QuotaMonitor", () => {
  it("fetches providers in parallel with a per-request deadline: a hanging one never holds the other", async () => {
    const slow = await serve({ "/api/v1/key": { json: or.keyDailyCap, delayMs: 5_000 } });
    const fast = await serve({ "/copilot_internal/user": { json: cp.business } });
    const m = new QuotaMonitor([orAccount, cpAccount], {
      deadlineMs: 300,
      fetchOptions: (a) => ({ baseUrl: a.provider === "openrouter" ? slow.url : fast.url }),
    });
    const t0 = Date.now();
    await m.refresh();
    expect(Date.now() - t0).toBeLessThan(2_000);
    const [o, c] = m.views();
    expect(o).toMatchObject({ stale: true, snapshots: [] });
    expect(o!.lastError).toMatch(/timed out/);
    expect(c).toMatchObject({ stale: false, lastError: null });
    expect(c!.snapshots.length).toBeGreaterThan(0);
  });

  it("a failure keeps the last good figures, marked stale with the error; 401 asks for a new login", async () => {
    const s = await serve({ "/copilot_internal/user": { json: cp.business } });
    const storage = memoryStorage();
    const m = new QuotaMonitor([cpAccount], {
      history: storage.quotaHistory,
      fetchOptions: () => ({ baseUrl: s.url }),
    });
    await m.refresh();
    const good = m.views()[0]!.snapshots;
    s.routes["/copilot_internal/user"] = { status: 401, json: { message: "Bad credentials" } };
    await m.refresh();
    expect(m.views()[0]).toMatchObject({ stale: true, needsLogin: true, snapshots: good });
    s.routes["/copilot_internal/user"] = { text: "<html>oops</html>" };
    await m.refresh();
    expect(m.views()[0]!.lastError).toMatch(/not JSON/);
    expect(m.views()[0]!.snapshots).toBe(good);
  });

  it("first paint from stored history without the network, marked stale", async () => {
    const s = await serve({ "/copilot_internal/user": { json: cp.business } });
    const storage = memoryStorage();
    await new QuotaMonitor([cpAccount], {
      history: storage.quotaHistory,
      fetchOptions: () => ({ baseUrl: s.url }),
    }).refresh();
    const fresh = new QuotaMonitor([cpAccount], {
      history: storage.quotaHistory,
      fetchOptions: () => ({ baseUrl: "http://127.0.0.1:9" }),
    });
    await fresh.loadStored();
    expect(fresh.views()[0]!.snapshots.find((x) => x.window === "premium")).toMatchObject({ used: "185.4" });
    expect(fresh.views()[0]!.stale).toBe(true);
  });

  it("backs off a 429: Retry-After is honoured, and the account is not asked again before it", async () => {
    const s = await serve({ "/api/v1/key": { status: 429, json: {}, headers: { "retry-after": "120" } } });
    let now = 1_000_000;
    const m = new QuotaMonitor([orAccount], { now: () => now, fetchOptions: () => ({ baseUrl: s.url }) });
    await m.refresh();
    await m.refresh();
    expect(s.seen).toHaveLength(1);
    now += 121_000;
    await m.refresh();
    expect(s.seen).toHaveLength(2);
  });

  it("an environment-only account is identified first, so its history has a stable id", async () => {
    const s = await serve({ "/api/v1/key": { json: or.keyDailyCap } });
    const m = new QuotaMonitor(
      [
        {
          account: { provider: "openrouter", accountId: "env", label: "$OPENROUTER_API_KEY" },
          secret: "sk-or-v1-x",
        },
      ],
      {
        fetchOptions: () => ({ baseUrl: s.url }),
      },
    );
    await m.refresh();
    expect(m.views()[0]!.account.accountId).toBe("user_2x9:sk-or-v1-abc...f00");
    expect(m.views()[0]!.snapshots.every((x) => x.accountId === "user_2x9:sk-or-v1-abc...f00")).toBe(true);
  });

  it("refreshes every 60 s ±10 %", () => {
    expect(jitteredInterval(60_000, () => 0)).toBe(54_000);
    expect(jitteredInterval(60_000, () => 1)).toBe(66_000);
  });
});

describe("QuotaMonitor history for pace", () => {
  it("loads the stored changes of the current period with the first paint", async () => {
    const storage = memoryStorage();
    const base = {
      provider: "copilot",
      accountId: "583231",
      window: "premium" as const,
      limit: "300",
      unit: "requests" as const,
      unlimited: false,
      resetAt: "2027-01-01T00:00:00.000Z",
      source: "t",
      note: null,
    };
    await storage.quotaHistory.save([
      { ...base, used: "10", fetchedAt: "2026-11-20T00:00:00.000Z" },
      { ...base, used: "20", fetchedAt: "2026-12-02T00:00:00.000Z" },
      { ...base, used: "30", fetchedAt: "2026-12-03T00:00:00.000Z" },
    ]);
    const m = new QuotaMonitor([cpAccount], { history: storage.quotaHistory });
    await m.loadStored();
    expect(m.views()[0]!.history.premium!.map((s) => s.used)).toEqual(["20", "30"]);
  });
});
