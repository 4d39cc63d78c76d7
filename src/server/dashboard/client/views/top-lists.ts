import type { RollupResult } from "../api-types.js";
import { fill, h } from "../dom.js";
import { formatCount } from "../format.js";
import { formatUsd, usdToPlotNumber } from "../money.js";
import { rangeQuery } from "../range.js";
import type { Panel } from "./context.js";

const LISTS = [
  { dimension: "model", title: "Models" },
  { dimension: "user", title: "Users" },
  { dimension: "team", title: "Teams" },
  { dimension: "project", title: "Projects" },
  { dimension: "feature", title: "Features" },
] as const;

/** The ten costliest models, users, teams, projects and features, with each one's share of the range's spend. */
export const topListsPanel: Panel = async (section, { api, range }) => {
  const results = await Promise.all(
    LISTS.map((l) =>
      api.get<RollupResult>("/costs/aggregate", {
        ...rangeQuery(range),
        group_by: l.dimension,
        order_by: "cost",
        limit: 10,
      }),
    ),
  );
  const tables = LISTS.map((l, i) => {
    const result = results[i] as RollupResult;
    // Bar widths only: the amounts printed are the API's strings.
    const whole = usdToPlotNumber(result.totals.costUsd);
    return h(
      "div",
      { class: "top-list", "data-testid": `top-list-${l.dimension}` },
      h("h3", null, l.title),
      h(
        "table",
        null,
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", null, l.title.slice(0, -1)),
            h("th", { class: "num" }, "Cost"),
            h("th", { class: "num" }, "Requests"),
          ),
        ),
        h(
          "tbody",
          null,
          result.rows.length === 0
            ? h("tr", null, h("td", { colspan: 3, class: "empty" }, "No usage"))
            : null,
          result.rows.map((row) => {
            const share = whole > 0 ? Math.min(1, usdToPlotNumber(row.costUsd) / whole) : 0;
            return h(
              "tr",
              null,
              h("td", null, h("div", { class: "name" }, row[l.dimension] ?? "(none)"), shareBar(share)),
              h(
                "td",
                { class: "num", "data-value": row.costUsd, title: row.costUsd },
                formatUsd(row.costUsd),
              ),
              h("td", { class: "num" }, formatCount(row.requests)),
            );
          }),
        ),
      ),
    );
  });
  fill(section, h("h2", null, "Top spenders"), h("div", { class: "top-grid" }, tables));
};

/** A share bar. Its width goes through the CSSOM (`el.style`), which the CSP allows; a `style="…"` attribute it refuses. */
export function shareBar(fraction: number): HTMLElement {
  const bar = h("div", { class: "share" }, h("div", { class: "share-fill" }));
  (bar.firstChild as HTMLElement).style.width = `${(fraction * 100).toFixed(1)}%`;
  return bar;
}
