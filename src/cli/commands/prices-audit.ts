import type { Command } from "commander";
import { compareTables, type ModelDifference } from "../../pricing/audit.js";
import { broadLayer } from "../../pricing/broad.js";
import reviewed from "../../pricing/broad-reviewed.json" with { type: "json" };
import { bundledCatalog, importLiteLLM, type PriceTable } from "../../pricing/index.js";
import type { CliContext } from "../context.js";
import { renderTable } from "../format/table.js";
import type { Runner } from "../program.js";

interface AuditOptions {
  readonly litellm?: string;
  readonly json?: boolean;
}

interface Row {
  readonly model: string;
  readonly otherKey: string;
  readonly field: string;
  readonly a: string;
  readonly aLayer: string;
  readonly b: string;
  readonly bLayer: string;
  readonly reviewed: string | null;
}

const REVIEWED = (
  reviewed as { differences: Record<string, { reason: string; fields: Record<string, unknown> }> }
).differences;

/** `tokenledger prices audit`: every model whose price differs between the layers, with both values. */
export function registerPricesAudit(prices: Command, run: Runner): void {
  prices
    .command("audit")
    .description(
      "Compare the price layers (curated catalog, broad layer, optionally a LiteLLM JSON file) and list every model whose effective rates differ.",
    )
    .option("--litellm <file>", "also compare LiteLLM's model_prices_and_context_window.json (file or URL)")
    .option("--json", "print { comparisons: [...] } as JSON")
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger prices audit\n  $ tokenledger prices audit --litellm ./model_prices_and_context_window.json --json`,
    )
    .action(run((ctx, opts: AuditOptions) => audit(ctx, opts)));
}

async function audit(ctx: CliContext, opts: AuditOptions): Promise<void> {
  const at = new Date();
  const { comparisons, rows } = compareLayers(await loadLayers(opts), at);
  if (opts.json) {
    await ctx.out(`${JSON.stringify({ at: at.toISOString(), comparisons }, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    ctx.note("Every model priced by more than one layer has the same effective rates in each.");
    return;
  }
  await ctx.out(
    renderTable(
      [
        { header: "Model", value: (r: Row) => r.model, align: "left" },
        { header: "Field", value: (r: Row) => r.field, align: "left" },
        { header: "Value A", value: (r: Row) => `${r.a} (${r.aLayer})` },
        { header: "Value B", value: (r: Row) => `${r.b} (${r.bLayer}: ${r.otherKey})` },
        { header: "Reviewed", value: (r: Row) => (r.reviewed ? "yes" : "NEW"), align: "left" },
      ],
      rows,
      null,
      ctx.colors,
    ),
  );
  const fresh = new Set(rows.filter((r) => !r.reviewed).map((r) => r.model));
  ctx.note(
    `${new Set(rows.map((r) => r.model)).size} models differ; ${fresh.size} not yet reviewed. Rates are USD per 1M tokens; ` +
      "field@>N is the long-context tier above N tokens, batch.field the batch rate. The curated catalog wins where it has a price.",
  );
}

interface Layer {
  readonly name: string;
  readonly table: PriceTable;
}

/** The layers to compare, curated catalog first (each later layer is compared against the ones before it). */
async function loadLayers(opts: AuditOptions): Promise<Layer[]> {
  const layers: Layer[] = [
    { name: "catalog", table: bundledCatalog() },
    { name: "broad", table: broadLayer() },
  ];
  if (opts.litellm) {
    const source = /^[a-z]+:\/\//i.test(opts.litellm) ? new URL(opts.litellm) : opts.litellm;
    // cachePath false: an audit only reads the file, it must not replace the user's imported price cache.
    layers.push({ name: "litellm", table: (await importLiteLLM(source, { cachePath: false })).table });
  }
  return layers;
}

/** Every pair of layers compared: the JSON comparisons, and one table row per differing field. */
function compareLayers(layers: readonly Layer[], at: Date) {
  const comparisons = [];
  const rows: Row[] = [];
  for (let i = 0; i < layers.length; i++) {
    for (let j = i + 1; j < layers.length; j++) {
      const a = layers[i] as Layer;
      const b = layers[j] as Layer;
      // Models of a lower layer that a higher one already prices were compared there.
      const primary = i === 0 ? a.table : withoutKeysOf(a.table, layers[0]?.table);
      const { differences, matched } = compareTables(primary, b.table, at);
      comparisons.push({
        a: a.name,
        b: b.name,
        matched,
        differences: differences.map((d) => ({ ...d, reviewed: reviewedReason(a.name, b.name, d) })),
      });
      for (const d of differences) rows.push(...differenceRows(a.name, b.name, d));
    }
  }
  return { comparisons, rows };
}

function differenceRows(aLayer: string, bLayer: string, d: ModelDifference): Row[] {
  const reviewed = reviewedReason(aLayer, bLayer, d);
  return d.differences.map((x) => ({
    model: d.key,
    otherKey: d.otherKey,
    field: x.field,
    a: x.a,
    aLayer,
    b: x.b,
    bLayer,
    reviewed,
  }));
}

function reviewedReason(a: string, b: string, d: ModelDifference): string | null {
  if (a !== "catalog" || b !== "broad") return null;
  const entry = REVIEWED[d.key];
  if (!entry) return null;
  return d.differences.every((x) => x.field in entry.fields) ? entry.reason : null;
}

function withoutKeysOf(table: PriceTable, higher: PriceTable | undefined): PriceTable {
  if (!higher) return table;
  return {
    prices: new Map([...table.prices].filter(([k]) => !higher.prices.has(k))),
    aliases: table.aliases,
  };
}
