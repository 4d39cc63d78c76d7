// Dashboard first load: from navigation to the charts painted and to every panel rendered (performance marks set
// by the page, read from its navigation start), in real headless Chromium,
// against a large SQLite ledger (1M events over 30 days; quick mode 20k). Cold loads run with the browser cache
// disabled (every asset and API call fetched), warm loads with the cache on. Baseline, same run: fetching the
// same API JSON the page requested, directly from Node (all in parallel, no browser, no rendering).
// Cross-check: the total cost the page shows equals the API's. Target (issue 15): under 1 s with 1M events.
// Sizes: BENCH_EVENTS (default 1,000,000; quick 20,000); BENCH_RUNS (default 7; quick 2).
// BENCH_USE_DIST=1 serves the built dist/dashboard (npm run build) instead of building the current source.
// Run: node --import tsx bench/dashboard-load.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { parseBudget } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { PROJECTIONS } from "../adapters/_kysely/projections.js";
import { sqliteProjectionBackfillSql } from "../adapters/sqlite/sqlite-projection-sql.js";
import { buildDashboard } from "../test/helpers/build-dashboard.js";
import { launchChromium } from "../test/helpers/chromium.js";
import { startDashboardTestServer } from "../test/helpers/dashboard-test-server.js";
import { timeIt } from "./storage-bench-util.js";
import { QUICK, check, median, printTable, size } from "./util.js";

const EVENTS = size("BENCH_EVENTS", 1_000_000, 20_000);
const RUNS = size("BENCH_RUNS", 7, 2);
const TARGET_MS = 1000;

/** Events spread over the 29 days before now, six models, 500 users, 20 teams, 12 projects, 4 features. */
function seedSql(n: number, end: number): string {
  const start = end - 29 * 86_400_000; // inside the dashboard's default 30-day range (whole UTC days)
  const step = Math.max(1, Math.floor((end - start) / n));
  return `WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < ${n - 1})
  INSERT INTO token_ledger_events (id, ts, provider, model, operation, status, usage_source, uncached_input_tokens,
    cache_read_tokens, output_tokens, cost_pico, user_id, team_id, project_id, feature, environment, latency_ms,
    ttft_ms, request_id)
  SELECT printf('%08x-0000-7000-8000-%012x', i, i), ${start} + i * ${step},
    CASE i % 3 WHEN 0 THEN 'anthropic' ELSE 'openai' END, 'model-' || (i % 6), 'chat',
    CASE WHEN i % 50 = 0 THEN 'error' ELSE 'ok' END, 'provider', 500 + i % 300, i % 200, 100 + i % 400,
    100375000 + (i % 997) * 1000, 'user-' || (i % 500), 'team-' || (i % 20), 'project-' || (i % 12),
    'feature-' || (i % 4), 'prod', 200 + i % 1000, 50 + i % 400, 'req_' || i FROM g`;
}

async function seed(dbPath: string): Promise<void> {
  const s = sqliteStorage({ path: dbPath });
  await s.init();
  await s.budgets.put(parseBudget({ id: "org", scope: "org", period: "month", amountUsd: "50000" }));
  await s.close();
  const raw = new Database(dbPath);
  try {
    raw.exec("BEGIN IMMEDIATE");
    raw.exec(seedSql(EVENTS, Date.now() - 60_000));
    // What the adapter's per-batch rollup upserts leave behind, in one pass.
    for (const p of PROJECTIONS) raw.exec(sqliteProjectionBackfillSql(p));
    raw.exec("COMMIT");
    raw.exec("ANALYZE");
    raw.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    raw.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), "tl-bench-dashboard-"));
const builtDir =
  process.env.BENCH_USE_DIST === "1" ? fileURLToPath(new URL("../dist/dashboard/", import.meta.url)) : null;
let assetsDir: string | null = null;
try {
  const dbPath = join(dir, "ledger.db");
  const seedMs = await timeIt(() => seed(dbPath));
  console.log(`seeded ${EVENTS} events in ${(seedMs / 1000).toFixed(1)} s`);
  assetsDir = builtDir ?? (await buildDashboard());
  const server = await startDashboardTestServer({ dbPath, assetsDir });
  const browser = await launchChromium();
  try {
    const signIn = await browser.context.request.post(`${server.url}/api/v1/session`, {
      data: { key: server.adminKey },
    });
    check(signIn.ok(), `sign-in failed: HTTP ${signIn.status()}`);

    const apiUrls = new Set<string>();
    let shownTotal: string | null = null;
    const load = async (cold: boolean): Promise<{ charts: number; all: number }> => {
      const page = await browser.context.newPage();
      try {
        const cdp = await browser.context.newCDPSession(page);
        await cdp.send("Network.setCacheDisabled", { cacheDisabled: cold });
        page.on("request", (r) => {
          if (r.url().includes("/api/v1/") && !r.url().endsWith("/session")) apiUrls.add(r.url());
        });
        await page.goto(server.url);
        await page.waitForSelector("html[data-state=ready]", { timeout: 120_000 });
        // Timed in the page from navigation start: the stand-in server shares this process, and a slow
        // synchronous SQLite query would delay Playwright's own view of the page.
        // (No named functions inside: tsx would wrap them in a helper the page does not have.)
        const [charts = NaN, all = NaN] = await page.evaluate(() =>
          ["tokenledger:charts-ready", "tokenledger:ready"].map(
            (n) => performance.getEntriesByName(n, "mark")[0]?.startTime ?? NaN,
          ),
        );
        check(Number.isFinite(charts) && Number.isFinite(all), "the page did not set its timing marks");
        check((await page.locator("#spend canvas").count()) > 0, "the spend chart did not render");
        shownTotal = await page.locator('[data-testid="total-cost"] .card-value').getAttribute("data-value");
        return { charts, all };
      } finally {
        await page.close();
      }
    };

    // One load before measuring: the server's and SQLite's caches warm, as on a server that has been up a while.
    await load(true);
    const cold: { charts: number; all: number }[] = [];
    const warm: { charts: number; all: number }[] = [];
    for (let i = 0; i < RUNS; i++) cold.push(await load(true));
    for (let i = 0; i < RUNS; i++) warm.push(await load(false));

    // The charts' data: the overview (daily totals, top model) and the spend trend; the rest are tables.
    const chartUrls = [...apiUrls].filter((u) => /granularity=day|limit=1(&|$)/.test(u));
    check(chartUrls.length === 3, `expected 3 chart API calls, saw ${chartUrls.join(", ")}`);
    const auth = { authorization: `Bearer ${server.adminKey}` };
    const fetchAll = (urls: readonly string[]) =>
      timeIt(async () => {
        await Promise.all(urls.map(async (u) => (await fetch(u, { headers: auth })).arrayBuffer()));
      });
    const baseCharts: number[] = [];
    const baseAll: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      baseCharts.push(await fetchAll(chartUrls));
      baseAll.push(await fetchAll([...apiUrls]));
    }

    // Cross-check: the figure on the page is the API's, over every seeded event.
    const totalsUrl = chartUrls.find((u) => !u.includes("group_by"))!;
    const api = (await (await fetch(totalsUrl, { headers: auth })).json()) as {
      totals: { costUsd: string; events: number };
    };
    check(shownTotal === api.totals.costUsd, `page shows ${shownTotal}, API says ${api.totals.costUsd}`);
    check(api.totals.events === EVENTS, `API counts ${api.totals.events} events, seeded ${EVENTS}`);

    const bc = median(baseCharts);
    const ba = median(baseAll);
    const row = (name: string, ms: number, base: number) => [
      name,
      ms.toFixed(0),
      `${(ms / base).toFixed(2)}×`,
    ];
    const coldCharts = median(cold.map((l) => l.charts));
    printTable(
      `Dashboard first load, ${EVENTS.toLocaleString("en-US")} events, median of ${RUNS} (baseline: the same API calls fetched directly from Node, in parallel)`,
      ["load", "median ms", "vs baseline"],
      [
        row("cold: charts painted", coldCharts, bc),
        row("warm: charts painted", median(warm.map((l) => l.charts)), bc),
        row(`baseline: the ${chartUrls.length} chart API calls`, bc, bc),
        row("cold: every panel rendered", median(cold.map((l) => l.all)), ba),
        row("warm: every panel rendered", median(warm.map((l) => l.all)), ba),
        row(`baseline: all ${apiUrls.size} API calls`, ba, ba),
      ],
    );
    const met = coldCharts < TARGET_MS;
    console.log(
      `target: cold first load (charts painted) < ${TARGET_MS} ms${QUICK ? " (stated for 1M events; quick mode is smaller)" : ""}: ${met ? "met" : "NOT met"}`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (assetsDir && !builtDir) rmSync(join(assetsDir, ".."), { recursive: true, force: true });
}
