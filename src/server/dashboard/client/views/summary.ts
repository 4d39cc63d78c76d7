import type { RollupResult } from "../api-types.js";
import { fill, h } from "../dom.js";
import { formatCount, formatRatio } from "../format.js";
import { formatUsd } from "../money.js";
import { rangeQuery } from "../range.js";
import { timeChart } from "../charts.js";
import { periodToUnix } from "./periods.js";
import type { Panel } from "./context.js";

/** Headline numbers for the range, and tokens per day with the cache-hit ratio. */
export const summaryPanel: Panel = async (section, { api, range }) => {
  const [daily, topModel] = await Promise.all([
    api.get<RollupResult>("/costs/aggregate", { ...rangeQuery(range), granularity: "day" }),
    api.get<RollupResult>("/costs/aggregate", {
      ...rangeQuery(range),
      group_by: "model",
      order_by: "cost",
      limit: 1,
    }),
  ]);
  const cards = summaryCards(daily.totals, topModel.rows[0]);
  const chartBox = h("div", { class: "chart" });
  fill(section, h("h2", null, "Overview"), cards, h("h3", null, "Tokens per day"), chartBox);
  await tokensChart(chartBox, daily.rows);
};

/** The headline cards; `data-value` holds the exact figure the tests compare with the API's. */
function summaryCards(t: RollupResult["totals"], top: RollupResult["rows"][number] | undefined): HTMLElement {
  const card = (id: string, label: string, value: string, exact?: string, note?: string) =>
    h(
      "div",
      { class: "card", "data-testid": id },
      h("div", { class: "card-label" }, label),
      h("div", { class: "card-value", "data-value": exact ?? value, title: exact ?? null }, value),
      note ? h("div", { class: "card-note" }, note) : null,
    );
  return h(
    "div",
    { class: "cards" },
    card(
      "total-cost",
      "Total cost",
      formatUsd(t.costUsd),
      t.costUsd,
      t.unpricedEvents > 0 ? `${formatCount(t.unpricedEvents)} unpriced events not included` : undefined,
    ),
    card("request-count", "Requests", formatCount(t.requests), String(t.requests)),
    card(
      "top-model-cost",
      "Top model",
      top ? formatUsd(top.costUsd) : "—",
      top?.costUsd,
      top ? (top.model ?? "(none)") : undefined,
    ),
    card("total-tokens", "Tokens", formatCount(t.totalTokens), String(t.totalTokens)),
    card(
      "cache-hit",
      "Cache-hit ratio",
      formatRatio(t.cacheReadTokens, t.inputTokens),
      undefined,
      "cache reads / input tokens",
    ),
    card("error-count", "Errors", formatCount(t.errorEvents), String(t.errorEvents)),
  );
}

/** Tokens per day by kind (not stacked). */
async function tokensChart(chartBox: HTMLElement, rows: RollupResult["rows"]): Promise<void> {
  await timeChart(chartBox, {
    x: rows.map((r) => periodToUnix(r.period)),
    stacked: false,
    yLabel: (v) => formatCount(v),
    series: [
      { label: "Uncached input", pick: (i: number) => rows[i]?.uncachedInputTokens ?? 0 },
      { label: "Cache reads", pick: (i: number) => rows[i]?.cacheReadTokens ?? 0 },
      { label: "Cache writes", pick: (i: number) => rows[i]?.cacheWriteTokens ?? 0 },
      { label: "Output", pick: (i: number) => rows[i]?.outputTokens ?? 0 },
    ].map((s) => ({
      label: s.label,
      values: rows.map((_, i) => s.pick(i)),
      display: (i: number) => formatCount(s.pick(i)),
    })),
  });
}
