import { afterEach, describe, expect, it } from "vitest";
import { openrouterProvider } from "../../src/quota/providers/openrouter.js";
import { QuotaFetchError, type QuotaAccount } from "../../src/quota/types.js";
import * as fx from "../fixtures/quota/openrouter.js";
import { fakeQuotaServer } from "./fake-quota-server.js";

const account: QuotaAccount = { provider: "openrouter", accountId: "user_2x9:k", label: "k" };
const NOW = new Date("2026-12-01T15:30:00Z");
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
  delete process.env.OPENROUTER_MANAGEMENT_API_KEY;
});

async function serve(routes: Parameters<typeof fakeQuotaServer>[0]) {
  const s = await fakeQuotaServer(routes);
  close = s.close;
  return s;
}

const byWindow = <T extends { window: string }>(snaps: T[], w: string) => snaps.find((s) => s.window === w);

describe("OpenRouter quota", () => {
  it("a daily cap counts usage_daily against the limit (lifetime usage shown apart) and resets at UTC midnight", async () => {
    const s = await serve({ "/api/v1/key": { json: fx.keyDailyCap } });
    const snaps = await openrouterProvider.fetch(account, "sk-or-v1-x", { baseUrl: s.url, now: () => NOW });
    expect(byWindow(snaps, "daily")).toMatchObject({
      used: "3.25",
      limit: "10",
      unit: "usd",
      resetAt: "2026-12-02T00:00:00.000Z",
    });
    expect(byWindow(snaps, "lifetime")).toMatchObject({ used: "812.0421", limit: null });
    expect(s.seen[0]!.headers.authorization).toBe("Bearer sk-or-v1-x");
  });

  it("a cap with no reset counts limit − remaining; an uncapped key has no limit snapshot", async () => {
    const s = await serve({ "/api/v1/key": { json: fx.keyLifetimeCap } });
    const snaps = await openrouterProvider.fetch(account, "sk-or-v1-x", { baseUrl: s.url, now: () => NOW });
    expect(byWindow(snaps, "key_limit")).toMatchObject({ used: "37.5", limit: "50", resetAt: null });
    s.routes["/api/v1/key"] = { json: fx.keyUncapped };
    const un = await openrouterProvider.fetch(account, "sk-or-v1-x", { baseUrl: s.url, now: () => NOW });
    expect(un.map((x) => x.window)).toEqual(["lifetime", "balance"]);
  });

  it("never asks /credits with a normal key, and the balance is unknown (null), never $0", async () => {
    const s = await serve({
      "/api/v1/key": { json: fx.keyDailyCap },
      "/api/v1/credits": { json: fx.creditsZeroQuirk },
    });
    const snaps = await openrouterProvider.fetch(account, "sk-or-v1-x", { baseUrl: s.url, now: () => NOW });
    expect(byWindow(snaps, "balance")).toMatchObject({ used: null, limit: null });
    expect(byWindow(snaps, "balance")!.note).toMatch(/management key/);
    expect(s.seen.map((r) => r.path)).toEqual(["/api/v1/key"]);
  });

  it("the credits-zero quirk: a 200 with both fields zero for a key not known as management means unknown", async () => {
    process.env.OPENROUTER_MANAGEMENT_API_KEY = "sk-or-v1-mgmt";
    const s = await serve({
      "/api/v1/key": { json: fx.keyDailyCap },
      "/api/v1/credits": { json: fx.creditsZeroQuirk },
    });
    const snaps = await openrouterProvider.fetch(account, "sk-or-v1-x", { baseUrl: s.url, now: () => NOW });
    expect(byWindow(snaps, "balance")).toMatchObject({ used: null, limit: null });
    expect(s.seen[1]!.headers.authorization).toBe("Bearer sk-or-v1-mgmt");
  });

  it("a management key reads its balance exactly; a 403 from /credits means unknown", async () => {
    const s = await serve({
      "/api/v1/key": { json: fx.keyManagement },
      "/api/v1/credits": { json: fx.creditsFunded },
    });
    const snaps = await openrouterProvider.fetch(account, "sk-or-v1-m", { baseUrl: s.url, now: () => NOW });
    expect(byWindow(snaps, "balance")).toMatchObject({ used: "61.5025", limit: "100" });
    s.routes["/api/v1/credits"] = { status: 403, json: { error: { message: "Management key required" } } };
    const again = await openrouterProvider.fetch(account, "sk-or-v1-m", { baseUrl: s.url, now: () => NOW });
    expect(byWindow(again, "balance")).toMatchObject({ used: null, limit: null });
  });

  it("classifies failures: 401 → auth, 429 with Retry-After, non-JSON → shape, changed shape → shape naming the field", async () => {
    const s = await serve({ "/api/v1/key": { status: 401, json: { error: "nope" } } });
    const err = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as QuotaFetchError,
      );
    expect(await err(openrouterProvider.fetch(account, "sk-or-v1-x", { baseUrl: s.url }))).toMatchObject({
      kind: "auth",
      status: 401,
    });
    s.routes["/api/v1/key"] = { status: 429, json: {}, headers: { "retry-after": "30" } };
    expect(await err(openrouterProvider.fetch(account, "sk-or-v1-x", { baseUrl: s.url }))).toMatchObject({
      kind: "rate_limited",
      retryAfterMs: 30_000,
    });
    s.routes["/api/v1/key"] = { text: "<html>gateway</html>" };
    expect(await err(openrouterProvider.fetch(account, "sk-or-v1-x", { baseUrl: s.url }))).toMatchObject({
      kind: "shape",
    });
    s.routes["/api/v1/key"] = { json: { data: { ...fx.keyDailyCap.data, usage_daily: "lots" } } };
    const shape = await err(openrouterProvider.fetch(account, "sk-or-v1-x", { baseUrl: s.url }));
    expect(shape).toBeInstanceOf(QuotaFetchError);
    expect(shape!.message).toContain("data.usage_daily");
  });

  it("validates a key before it is stored", () => {
    expect(openrouterProvider.validateCredential("sk-or-v1-abc")).toBeNull();
    expect(openrouterProvider.validateCredential("sk-ant-123")).toMatch(/sk-or-/);
    expect(openrouterProvider.validateCredential("sk-or-v1 abc")).toMatch(/whitespace/);
  });

  it("identifies the account by creator and label (stable, never a list position)", async () => {
    const s = await serve({ "/api/v1/key": { json: fx.keyDailyCap } });
    expect(await openrouterProvider.identify("sk-or-v1-x", {}, { baseUrl: s.url })).toEqual({
      accountId: "user_2x9:sk-or-v1-abc...f00",
      label: "sk-or-v1-abc...f00",
    });
  });
});
