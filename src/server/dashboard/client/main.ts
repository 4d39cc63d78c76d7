import "./styles.css";
import { Api, ApiError } from "./api.js";
import type { SessionInfo } from "./api-types.js";
import { fill, h } from "./dom.js";
import { RANGE_CHOICES, rangeOfDays } from "./range.js";
import { alertsPanel } from "./views/alerts.js";
import { budgetsPanel } from "./views/budgets.js";
import type { Panel, ViewContext } from "./views/context.js";
import { latencyPanel } from "./views/latency.js";
import { showLogin } from "./views/login.js";
import { spendTrendPanel } from "./views/spend-trend.js";
import { summaryPanel } from "./views/summary.js";
import { topListsPanel } from "./views/top-lists.js";

const PANELS: readonly { readonly id: string; readonly panel: Panel; readonly chart?: true }[] = [
  { id: "summary", panel: summaryPanel, chart: true },
  { id: "spend", panel: spendTrendPanel, chart: true },
  { id: "top", panel: topListsPanel },
  { id: "budgets", panel: budgetsPanel },
  { id: "alerts", panel: alertsPanel },
  // Last: percentiles are computed from raw events, the slowest query on a large ledger.
  { id: "latency", panel: latencyPanel },
];

const root = document.getElementById("app") as HTMLElement;
const api = new Api();
const state = { days: 30 as number, stackBy: "model" as "model" | "provider" };
/** Bumped by every render, so a slow earlier render cannot mark a newer one ready. */
let renders = 0;

api.onUnauthorized = () => login();

function login(): void {
  document.documentElement.dataset.state = "login";
  showLogin(root, api, dashboard);
}

/** The header's controls; `rerender` runs when the range or the stacking changes. */
function header(session: SessionInfo, rerender: () => void): { bar: HTMLElement; rangeNote: HTMLElement } {
  const rangeSelect = h(
    "select",
    { "aria-label": "Range", "data-testid": "range" },
    RANGE_CHOICES.map((d) => h("option", { value: d, selected: d === state.days }, `Last ${d} days`)),
  );
  const stackSelect = h(
    "select",
    { "aria-label": "Stack spend by", "data-testid": "stack-by" },
    h("option", { value: "model", selected: state.stackBy === "model" }, "by model"),
    h("option", { value: "provider", selected: state.stackBy === "provider" }, "by provider"),
  );
  const logout = h("button", { type: "button", class: "link" }, "Sign out");
  rangeSelect.addEventListener("change", () => {
    state.days = Number(rangeSelect.value);
    rerender();
  });
  stackSelect.addEventListener("change", () => {
    state.stackBy = stackSelect.value === "provider" ? "provider" : "model";
    rerender();
  });
  logout.addEventListener("click", () => void api.logout().finally(login));
  const rangeNote = h("span", { class: "muted", "data-testid": "range-note" });
  const bar = h(
    "header",
    null,
    h("h1", null, "tokenledger"),
    rangeSelect,
    stackSelect,
    rangeNote,
    h("span", { class: "spacer" }),
    h("span", { class: "muted" }, `${session.principal.name} (${session.principal.role})`),
    logout,
  );
  return { bar, rangeNote };
}

/** One panel into its section; a failure shows in that section only. */
async function runPanel(section: HTMLElement, panel: Panel, ctx: ViewContext): Promise<void> {
  section.setAttribute("aria-busy", "true");
  try {
    await panel(section, ctx);
  } catch (err) {
    // A role without access to a panel (a viewer and budgets) sees why, the rest still renders.
    const text =
      err instanceof ApiError && err.status === 403
        ? "Not available for this key's role or scope."
        : `Could not load: ${(err as Error).message}`;
    fill(section, h("p", { class: "error" }, text));
  } finally {
    section.setAttribute("aria-busy", "false");
  }
}

/** Every panel for one range: the charts first, then the tables. */
async function renderPanels(sections: readonly HTMLElement[], ctx: ViewContext): Promise<void> {
  const html = document.documentElement;
  const generation = ++renders;
  html.dataset.state = "loading";
  html.dataset.charts = "loading";
  const run = (i: number) =>
    runPanel(sections[i] as HTMLElement, (PANELS[i] as (typeof PANELS)[number]).panel, ctx);
  const indexes = PANELS.map((_, i) => i);
  // Charts first, the tables after: on a large ledger one slow query (latency percentiles over raw events)
  // would otherwise hold the charts' fast rollup queries behind it on the server.
  await Promise.all(indexes.filter((i) => PANELS[i]?.chart).map(run));
  if (generation !== renders) return;
  // The load benchmark and the tests wait for these: the charts painted, then every panel rendered
  // (performance marks time them from navigation start, in the page).
  html.dataset.charts = "ready";
  performance.mark("tokenledger:charts-ready");
  await Promise.all(indexes.filter((i) => !PANELS[i]?.chart).map(run));
  if (generation !== renders) return;
  html.dataset.state = "ready";
  performance.mark("tokenledger:ready");
}

function dashboard(session: SessionInfo): void {
  const main = h("main", { class: "panels" });
  const { bar, rangeNote } = header(session, () => void render());
  fill(root, bar, main);
  const sections = PANELS.map(({ id }) =>
    h("section", { id, class: "panel", "aria-busy": "true" }, "Loading…"),
  );
  main.append(...sections);

  function render(): Promise<void> {
    const range = rangeOfDays(state.days);
    rangeNote.textContent = `${range.from} to ${range.to} (UTC, end exclusive)`;
    return renderPanels(sections, { api, principal: session.principal, range, stackBy: state.stackBy });
  }
  void render();
}

api
  .session()
  .then((s) => (s ? dashboard(s) : login()))
  .catch((err: unknown) => {
    fill(root, h("p", { class: "error" }, `The server did not answer: ${(err as Error).message}`));
  });
