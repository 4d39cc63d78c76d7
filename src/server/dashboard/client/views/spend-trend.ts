import type { RollupResult } from "../api-types.js";
import { fill, h } from "../dom.js";
import { formatUsd, usdToPlotNumber } from "../money.js";
import { rangeQuery } from "../range.js";
import { timeChart } from "../charts.js";
import { periodToUnix } from "./periods.js";
import type { Panel } from "./context.js";

/** Spend per day stacked by model or provider; the legend prints each day's exact amount per series. */
export const spendTrendPanel: Panel = async (section, { api, range, stackBy }) => {
  const result = await api.get<RollupResult>("/costs/aggregate", {
    ...rangeQuery(range),
    granularity: "day",
    group_by: stackBy,
    order_by: "period",
  });
  const periods = [...new Set(result.rows.map((r) => r.period ?? ""))].sort();
  const index = new Map(periods.map((p, i) => [p, i]));
  // One series per model (or provider), holding the API's decimal string for each day it has spend.
  const byKey = new Map<string, (string | null)[]>();
  for (const row of result.rows) {
    const key = row[stackBy] ?? "(none)";
    let costs = byKey.get(key);
    if (!costs) byKey.set(key, (costs = periods.map(() => null)));
    costs[index.get(row.period ?? "") ?? 0] = row.costUsd;
  }
  const chartBox = h("div", { class: "chart", "data-testid": "spend-chart" });
  fill(section, h("h2", null, `Spend per day by ${stackBy}`), chartBox);
  if (periods.length === 0) {
    fill(chartBox, h("p", { class: "empty" }, "No usage in this range."));
    return;
  }
  await timeChart(chartBox, {
    x: periods.map(periodToUnix),
    stacked: true,
    yLabel: (v) => `$${v.toFixed(v < 1 ? 2 : 0)}`,
    series: [...byKey].map(([label, costs]) => ({
      label,
      values: costs.map(usdToPlotNumber),
      display: (i: number) => formatUsd(costs[i] ?? "0"),
    })),
  });
};
