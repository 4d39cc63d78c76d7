import { ATTRIBUTION_DIMENSION_FIELDS } from "../../core/attribution-fields.js";
import type { Dimension, RollupMeasures } from "../../core/query.js";
import { formatCount, formatUsd } from "./money.js";
import { renderTable, type Colors, type Column } from "./table.js";

type Row = Readonly<Record<string, unknown>> & Partial<RollupMeasures>;

// Attribution dimensions carry their header in ATTRIBUTION_FIELDS; the others (provider, model, ...) are capitalised.
const HEADERS: Partial<Record<Dimension, string>> = Object.fromEntries(
  ATTRIBUTION_DIMENSION_FIELDS.map((f) => [f.dimension, f.header]),
);
const title = (d: string) => HEADERS[d as Dimension] ?? d.charAt(0).toUpperCase() + d.slice(1);
// A missing attribution value is a group of its own: "(none)" keeps it visible instead of a blank key cell.
const text = (v: unknown) => (v === null || v === undefined ? "(none)" : String(v));
const num = (key: keyof RollupMeasures) => (r: Row) => formatCount(Number(r[key] ?? 0));

/** The readable report table: key columns, token columns, cost (marked * when some events are unpriced). */
export function renderReport(
  rows: readonly Row[],
  totals: Row,
  keys: readonly string[],
  colors: Colors,
  extra: readonly Column<Row>[] = [],
): string {
  const columns: Column<Row>[] = [
    ...keys.map((k) => ({
      header: title(k),
      value: (r: Row) => text(r[k]),
      align: "left" as const,
      key: true,
    })),
    { header: "Requests", value: num("requests") },
    // Input is the uncached part only, so Input + Cache write + Cache read adds up without counting a token twice.
    { header: "Input", value: num("uncachedInputTokens") },
    { header: "Output", value: num("outputTokens") },
    { header: "Cache write", value: num("cacheWriteTokens") },
    { header: "Cache read", value: num("cacheReadTokens") },
    { header: "Total tokens", value: num("totalTokens") },
    {
      header: "Cost (USD)",
      value: (r: Row) =>
        // "unpriced" when nothing in the row has a price; "*" when only some events do, so a partial sum is never
        // read as the whole cost (an unknown model has no cost, never a zero one).
        r.costUsd === null && r.unpricedEvents
          ? "unpriced"
          : formatUsd(r.costUsd) + (r.unpricedEvents ? "*" : ""),
    },
    ...extra,
  ];
  // A report with no group keys still needs a first column for the Total row's label.
  if (keys.length === 0) columns.unshift({ header: "", value: () => "", align: "left" });
  return renderTable(columns, rows, totals, colors);
}

/** Extra columns when subscriptions are configured (their fixed cost blended in); "-" when a row has no rate. */
export const BLENDED_COLUMNS: readonly Column<Row>[] = [
  { header: "Subscription", value: (r) => formatUsd(r.subscriptionCostUsd as string) },
  { header: "Total cost", value: (r) => formatUsd(r.totalCostUsd as string) },
  {
    header: "Blended $/MTok",
    value: (r) => (r.blendedUsdPerMTok ? formatUsd(r.blendedUsdPerMTok as string) : "-"),
  },
];
