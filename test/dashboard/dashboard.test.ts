// The dashboard in real Chromium against a server answering the API contract from a real SQLite ledger:
// sign in with a key, the figures shown are the API's, an alert is acknowledged with the CSRF header, the page
// runs under its CSP without a single console error, and a screenshot goes to .tmp/artifacts/dashboard.png.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { sqliteStorage } from "tokenledger/sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rangeOfDays } from "../../src/server/dashboard/client/range.js";
import { buildDashboard } from "../helpers/build-dashboard.js";
import { launchChromium, watchPageProblems, type ChromiumSession } from "../helpers/chromium.js";
import { startDashboardTestServer, type DashboardTestServer } from "../helpers/dashboard-test-server.js";
import { seedDashboardLedger, type SeededLedger } from "./seed.js";

const ARTIFACTS = join(process.cwd(), ".tmp", "artifacts");
/** An independent formatter for the expected text: Intl rounds decimal strings exactly (half-expand). */
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2 });

let dir: string;
let assetsDir: string;
let server: DashboardTestServer;
let browser: ChromiumSession;
let problems: string[];
let seeded: SeededLedger;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tl-dashboard-test-"));
  const dbPath = join(dir, "ledger.db");
  const storage = sqliteStorage({ path: dbPath });
  await storage.init();
  seeded = await seedDashboardLedger(storage);
  await storage.close();
  [assetsDir, browser] = await Promise.all([buildDashboard(), launchChromium()]);
  server = await startDashboardTestServer({ dbPath, assetsDir });
  problems = await watchPageProblems(browser.context);
  page = await browser.context.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
  if (assetsDir) rmSync(join(assetsDir, ".."), { recursive: true, force: true });
});

const api = async <T>(path: string): Promise<T> => {
  const res = await page.request.get(`${server.url}/api/v1${path}`);
  expect(res.status(), path).toBe(200);
  return (await res.json()) as T;
};
const shown = (testId: string) => page.locator(`[data-testid="${testId}"] .card-value`);

describe("dashboard in Chromium", () => {
  it("refuses a wrong key, then signs in with the right one; the key is never in a cookie", async () => {
    const response = await page.goto(server.url);
    const csp = response!.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    await page.fill("#key", "tl_wrongkey_0000000000000000000000000000000000");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator("[role=alert]").textContent()).toContain("not accepted");

    await page.fill("#key", server.adminKey);
    await page.click("button[type=submit]");
    await page.waitForSelector("html[data-state=ready]", { timeout: 20_000 });
    const cookies = await browser.context.cookies(server.url);
    const session = cookies.find((c) => c.name === "tl_session");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(cookies.some((c) => c.value.includes(server.adminKey))).toBe(false);
    expect(await page.evaluate(() => document.cookie)).not.toContain("tl_session");
    expect(await page.locator("#key").count()).toBe(0); // the form, and the key typed in it, are gone
  });

  it("shows the API's total cost, top model cost and request count", async () => {
    const r = rangeOfDays(30);
    const q = `from=${r.from}&to=${r.to}&tz=UTC`;
    const totals = (await api<{ totals: { costUsd: string; requests: number } }>(`/costs/aggregate?${q}`))
      .totals;
    const top = (
      await api<{ rows: { model: string; costUsd: string }[] }>(
        `/costs/aggregate?${q}&group_by=model&order_by=cost&limit=1`,
      )
    ).rows[0]!;
    // The API's total is the seeded ledger's exact sum: the dashboard is compared against the right numbers.
    expect(totals.costUsd).toBe(seeded.totalCostUsd);
    expect(totals.requests).toBe(seeded.events.length);

    await expect.poll(() => shown("total-cost").getAttribute("data-value")).toBe(totals.costUsd);
    expect(await shown("total-cost").textContent()).toBe(usd.format(totals.costUsd as unknown as number));
    expect(await shown("top-model-cost").getAttribute("data-value")).toBe(top.costUsd);
    expect(await shown("top-model-cost").textContent()).toBe(usd.format(top.costUsd as unknown as number));
    expect(await page.locator('[data-testid="top-model-cost"] .card-note').textContent()).toBe(top.model);
    expect(await shown("request-count").textContent()).toBe(totals.requests.toLocaleString("en-US"));
    // Each panel rendered its data: the charts' canvases, one row per seeded model, budgets, latency.
    expect(await page.locator("#spend canvas").count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="top-list-model"] tbody tr').count()).toBe(3);
    expect(await page.locator('[data-testid="top-list-user"] tbody tr').count()).toBe(7);
    expect(await page.locator('[data-testid="latency-table"] tbody tr').count()).toBe(3);
    expect(await page.locator(`[data-testid="budget-${seeded.budgetId}"]`).textContent()).toContain(
      "$7.60 of $10.00",
    );

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
  });

  it("acknowledges an alert with the CSRF header; it leaves the list and the API", async () => {
    const before = (await api<{ alerts: { id: string }[] }>("/alerts?acked=false")).alerts;
    expect(before).toHaveLength(2);
    await expect.poll(() => page.locator('[data-testid="alert"]').count()).toBe(2);
    const target = before[0]!.id;

    const ackRequest = page.waitForRequest((r) => r.url().endsWith("/api/v1/alerts/ack"));
    await page.locator(`[data-alert-id="${target}"] button`).click();
    const request = await ackRequest;
    const session = await api<{ csrfToken: string }>("/session");
    expect(request.headers()["x-csrf-token"]).toBe(session.csrfToken);
    expect(request.postDataJSON()).toEqual({ ids: [target] });

    await expect.poll(() => page.locator('[data-testid="alert"]').count()).toBe(1);
    expect(await page.locator(`[data-alert-id="${target}"]`).count()).toBe(0);
    const after = (await api<{ alerts: { id: string }[] }>("/alerts?acked=false")).alerts;
    expect(after.map((a) => a.id)).toEqual([before[1]!.id]);
  });

  it("a cookie write without the CSRF header is refused", async () => {
    const res = await page.request.post(`${server.url}/api/v1/alerts/ack`, { data: { ids: [] } });
    expect(res.status()).toBe(403);
  });

  it("signs out (a CSRF-protected DELETE): back to the form, and the session is gone", async () => {
    const logout = page.waitForRequest((r) => r.url().endsWith("/api/v1/session") && r.method() === "DELETE");
    await page.getByRole("button", { name: "Sign out" }).click();
    expect((await logout).headers()["x-csrf-token"]).toBeTruthy();
    await page.waitForSelector("html[data-state=login]");
    expect((await page.request.get(`${server.url}/api/v1/session`)).status()).toBe(401);
  });

  it("a viewer sees the same figures and the open alert, without an Ack button; the server refuses its ack", async () => {
    await page.fill("#key", server.viewerKey);
    await page.click("button[type=submit]");
    await page.waitForSelector("html[data-state=ready]", { timeout: 20_000 });
    expect(await shown("total-cost").getAttribute("data-value")).toBe(seeded.totalCostUsd);
    expect(await page.locator('[data-testid="alert"]').count()).toBe(1);
    expect(await page.locator('[data-testid="alert"] button').count()).toBe(0);
    const { csrfToken } = await api<{ csrfToken: string }>("/session");
    const { alerts } = await api<{ alerts: { id: string }[] }>("/alerts?acked=false");
    const res = await page.request.post(`${server.url}/api/v1/alerts/ack`, {
      data: { ids: [alerts[0]!.id] },
      headers: { "x-csrf-token": csrfToken },
    });
    expect(res.status()).toBe(403);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForSelector("html[data-state=login]");
  });

  it("had no console errors, page errors or CSP violations", () => {
    // Expected: the session probe before sign-in and the wrong key answer 401 (Chromium logs both).
    const expected = /status of 401 .* @ .*\/api\/v1\/session$/;
    expect(problems.filter((p) => expected.test(p))).toHaveLength(2);
    expect(problems.filter((p) => !expected.test(p))).toEqual([]);
  });

  it("negative control: the CSP refuses an inline script, and the watcher reports it", async () => {
    const probe = await browser.context.newPage();
    await probe.goto(server.url);
    const ran = await probe.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__inlineRan = true";
      document.head.append(s);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
    await expect.poll(() => problems.some((p) => p.includes("CSP violation"))).toBe(true);
    await probe.close();
  });
});
