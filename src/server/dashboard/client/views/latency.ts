import type { LatencyResult } from "../api-types.js";
import { fill, h } from "../dom.js";
import { formatCount, formatMs } from "../format.js";
import { rangeQuery } from "../range.js";
import type { Panel } from "./context.js";

/** Latency p50/p95 and time to first token per model, and time to first token over the range (streamed calls). */
export const latencyPanel: Panel = async (section, { api, range }) => {
  const { from, to } = rangeQuery(range);
  const result = await api.get<LatencyResult>("/latency", { from, to, group_by: "model" });
  const ttft = result.ttft;
  fill(
    section,
    h("h2", null, "Latency"),
    h(
      "div",
      { class: "cards" },
      h(
        "div",
        { class: "card", "data-testid": "ttft" },
        h("div", { class: "card-label" }, "Time to first token"),
        h("div", { class: "card-value" }, `p50 ${formatMs(ttft?.p50)}`),
        h("div", { class: "card-note" }, `p95 ${formatMs(ttft?.p95)}`),
      ),
    ),
    h(
      "table",
      { "data-testid": "latency-table" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", null, "Model"),
          h("th", { class: "num" }, "Calls"),
          h("th", { class: "num" }, "p50"),
          h("th", { class: "num" }, "p95"),
          h("th", { class: "num" }, "TTFT p50"),
        ),
      ),
      h(
        "tbody",
        null,
        result.rows.length === 0
          ? h("tr", null, h("td", { colspan: 5, class: "empty" }, "No latency recorded"))
          : null,
        result.rows.map((r) =>
          h(
            "tr",
            null,
            h("td", null, r.model ?? "(none)"),
            h("td", { class: "num" }, formatCount(r.count)),
            h("td", { class: "num" }, formatMs(r.latencyMs.p50)),
            h("td", { class: "num" }, formatMs(r.latencyMs.p95)),
            h("td", { class: "num" }, formatMs(r.ttftMs?.p50)),
          ),
        ),
      ),
    ),
  );
};
