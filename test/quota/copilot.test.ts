import { afterEach, describe, expect, it } from "vitest";
import { copilotProvider } from "../../src/quota/providers/copilot.js";
import type { QuotaAccount, QuotaFetchError } from "../../src/quota/types.js";
import * as fx from "../fixtures/quota/copilot.js";
import { fakeQuotaServer } from "./fake-quota-server.js";

const account: QuotaAccount = { provider: "copilot", accountId: "583231", label: "octo" };
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});
async function serve(body: unknown, status = 200) {
  const s = await fakeQuotaServer({
    "/copilot_internal/user": { status, json: body },
    "/user": { json: fx.user },
  });
  close = s.close;
  return s;
}
const w = <T extends { window: string }>(snaps: T[], win: string) => snaps.find((s) => s.window === win);

describe("GitHub Copilot quota", () => {
  it("Business: premium requests used from percent_remaining; unlimited chat is 'unlimited', never 0 used", async () => {
    const s = await serve(fx.business);
    const snaps = await copilotProvider.fetch(account, "ghu_abc", { baseUrl: s.url });
    expect(w(snaps, "premium")).toMatchObject({
      used: "185.4",
      limit: "300",
      unit: "requests",
      resetAt: "2027-01-01T00:00:00.000Z",
    });
    expect(w(snaps, "chat")).toMatchObject({ unlimited: true, used: null, limit: null });
    const req = s.seen[0]!;
    expect(req.headers.authorization).toBe("token ghu_abc");
    expect(req.headers["editor-version"]).toMatch(/^vscode\//);
  });

  it("token-based billing counts AI credits and says what they cost", async () => {
    const s = await serve(fx.proPlusTokenBased);
    const p = w(await copilotProvider.fetch(account, "ghu_abc", { baseUrl: s.url }), "premium")!;
    expect(p).toMatchObject({ used: "350", limit: "7000", unit: "credits" });
    expect(p.note).toContain("$70.00");
  });

  it("free plan after the migration: chat and completions metered, premium without a quota skipped; date-only reset at 00:00 UTC", async () => {
    const s = await serve(fx.freeAfterMigration);
    const snaps = await copilotProvider.fetch(account, "ghu_abc", { baseUrl: s.url });
    expect(snaps.map((x) => x.window).sort()).toEqual(["chat", "completions"]);
    expect(w(snaps, "chat")).toMatchObject({ used: "40", limit: "50", resetAt: "2026-12-15T00:00:00.000Z" });
  });

  it("legacy limited-user plan: used = monthly − what is left", async () => {
    const s = await serve(fx.legacyLimitedUser);
    const snaps = await copilotProvider.fetch(account, "ghu_abc", { baseUrl: s.url });
    expect(w(snaps, "chat")).toMatchObject({ used: "5", limit: "50", resetAt: "2026-12-20T00:00:00.000Z" });
    expect(w(snaps, "completions")).toMatchObject({ used: "100", limit: "2000" });
  });

  it("401 means re-authenticate; a changed shape is a shape error, not zeros", async () => {
    let s = await serve({ message: "Bad credentials" }, 401);
    const fail = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as QuotaFetchError,
      );
    expect(await fail(copilotProvider.fetch(account, "ghu_abc", { baseUrl: s.url }))).toMatchObject({
      kind: "auth",
    });
    await close!();
    s = await serve({ login: "octo", something_new: {} });
    expect(await fail(copilotProvider.fetch(account, "ghu_abc", { baseUrl: s.url }))).toMatchObject({
      kind: "shape",
    });
  });

  it("identity is the numeric user id; enterprise hosts use api.<host>; fine-grained tokens are accepted", async () => {
    const s = await serve(fx.business);
    expect(await copilotProvider.identify("github_pat_11AAA", {}, { baseUrl: s.url })).toEqual({
      accountId: "583231",
      label: "octo",
    });
    const { githubApiBase } = await import("../../src/quota/providers/copilot.js");
    expect(githubApiBase("ghe.example.com")).toBe("https://api.ghe.example.com");
    expect(copilotProvider.validateCredential("github_pat_11AAA_bbb")).toBeNull();
    expect(copilotProvider.validateCredential("sk-or-v1-x")).toMatch(/ghu_/);
  });
});
