import type { Command } from "commander";
import { auditCliAction } from "../audit-actions.js";
import { catalogFreshness } from "../../pricing/freshness.js";
import { bundledCatalog, importLiteLLM, type ModelPrice } from "../../pricing/index.js";
import type { CliContext } from "../context.js";
import { renderTable } from "../format/table.js";
import type { Runner } from "../program.js";
import { registerPricesAudit } from "./prices-audit.js";
import { check } from "./prices-check.js";
import { lookup, pickRates, RATE_COLUMNS, type LookupOptions } from "./prices-lookup.js";
import { registerPricesReprice } from "./prices-reprice.js";

// One module per subcommand that has real work (lookup, check, audit, reprice); this file wires them and keeps
// the two small ones (list, import).
export function registerPrices(program: Command, run: Runner): Command {
  const prices = program
    .command("prices")
    .description(
      "The price catalog: list it, see how a model is priced, import LiteLLM prices, find unpriced events.",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ tokenledger prices list --provider anthropic
  $ tokenledger prices lookup claude-sonnet-4-5-20250929 --input 250000 --output 2000
  $ tokenledger prices import ./model_prices_and_context_window.json
  $ tokenledger prices check
  $ tokenledger prices audit`,
    )
    .hook("preAction", () => warnIfStale());

  registerList(prices, run);
  registerLookup(prices, run);
  registerImport(prices, run);
  registerCheck(prices, run);
  registerPricesAudit(prices, run);
  registerPricesReprice(prices, run);
  return prices;
}

function registerList(prices: Command, run: Runner): void {
  prices
    .command("list")
    .description("List the bundled catalog's current prices (USD per 1M tokens).")
    .option("--provider <name>", "only this provider")
    .option("--json", "print the entries as JSON")
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger prices list\n  $ tokenledger prices list --provider openai --json`,
    )
    .action(run((ctx, opts: { provider?: string; json?: boolean }) => list(ctx, opts)));
}

function registerLookup(prices: Command, run: Runner): void {
  prices
    .command("lookup")
    .description("Show which catalog entry and rule price a model, its rates and tier, and a sample cost.")
    .argument("<model>", "model id as the API reports it")
    .option(
      "--provider <name>",
      "provider namespace (default: try openai, anthropic, gemini, vertex, bedrock, azure)",
    )
    .option("--input <tokens>", "uncached input tokens for the sample cost", toCount, 1_000_000)
    .option("--output <tokens>", "output tokens for the sample cost", toCount, 1_000_000)
    .option("--cache-read <tokens>", "cache-read tokens for the sample cost", toCount, 0)
    .option("--at <date>", "price in force at this date (default now)")
    .option("--service-tier <tier>", "price as the response's service tier (flex, priority)")
    .option("--batch", "price as a batch request")
    .option("--json", "print the breakdown as JSON")
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger prices lookup gpt-4o\n  $ tokenledger prices lookup gemini-2.5-pro --provider gemini --input 300000 --json`,
    )
    .action(run((ctx, model: string, opts: LookupOptions) => lookup(ctx, model, opts)));
}

function registerImport(prices: Command, run: Runner): void {
  prices
    .command("import")
    .description(
      "Import LiteLLM's model_prices_and_context_window.json (file or URL) into the local price cache.",
    )
    .argument("<source>", "path, file: URL or https URL")
    .option(
      "--replace",
      "LiteLLM prices replace the catalog's for models both have (default: only fill models nothing else prices)",
    )
    .option("--json", "print the import summary as JSON")
    .addHelpText("after", `\nExamples:\n  $ tokenledger prices import ./model_prices_and_context_window.json`)
    .action(
      run((ctx, source: string, opts: { json?: boolean; replace?: boolean }) =>
        importPrices(ctx, source, opts),
      ),
    );
}

function registerCheck(prices: Command, run: Runner): void {
  prices
    .command("check")
    .description("List models in the ledger that have no price, with the config snippet that fixes them.")
    .option("--json", "print { models: [...] } as JSON")
    .addHelpText("after", `\nExamples:\n  $ tokenledger prices check\n  $ tokenledger prices check --json`)
    .action(run((ctx, opts: { json?: boolean }) => check(ctx, opts)));
}

// Module state on purpose: the preAction hook fires for each prices subcommand, the note should appear once.
let warned = false;

/** Once per run, for a person at a terminal (not scripts or pipes): the bundled catalog is older than 90 days. */
function warnIfStale(now = new Date()): void {
  if (warned || !process.stderr.isTTY) return;
  const f = catalogFreshness(now);
  if (!f.stale) return;
  warned = true;
  process.stderr.write(
    `note: the bundled price catalog is dated ${f.updated} (${f.ageDays} days old); new models may be unpriced. ` +
      "Update tokenledger, or import current prices from a file (works offline): tokenledger prices import ./model_prices_and_context_window.json\n",
  );
}

function toCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`"${value}" is not a whole number of tokens`);
  return n;
}

/**
 * The version in force at `at`: effectiveFrom inclusive, effectiveTo exclusive, so a price change at midnight
 * belongs to exactly one version.
 */
function currentVersion(versions: readonly ModelPrice[], at = Date.now()): ModelPrice | undefined {
  return versions.find(
    (v) =>
      (!v.effectiveFrom || Date.parse(v.effectiveFrom) <= at) &&
      (!v.effectiveTo || Date.parse(v.effectiveTo) > at),
  );
}

// The bundled catalog only, not the config's or LiteLLM's prices: `list` documents what ships; `lookup` shows
// what actually prices a model.
async function list(ctx: CliContext, opts: { provider?: string; json?: boolean }): Promise<void> {
  const entries: ModelPrice[] = [];
  for (const versions of bundledCatalog().prices.values()) {
    const p = currentVersion(versions);
    if (p && (!opts.provider || p.provider === opts.provider)) entries.push(p);
  }
  entries.sort((a, b) => (a.key < b.key ? -1 : 1));
  if (opts.json) {
    await ctx.out(
      `${JSON.stringify({ prices: entries.map((p) => ({ key: p.key, provider: p.provider, model: p.model, ...pickRates(p), tiers: p.tiers ?? [] })) }, null, 2)}\n`,
    );
    return;
  }
  if (entries.length === 0) {
    ctx.note(opts.provider ? `No catalog prices for provider "${opts.provider}".` : "The catalog is empty.");
    return;
  }
  await ctx.out(
    renderTable(
      [
        { header: "Key", value: (p: ModelPrice) => p.key, align: "left" },
        ...RATE_COLUMNS.map((r) => ({ header: `${r} $/MTok`, value: (p: ModelPrice) => p[r] ?? "-" })),
        {
          header: "Tiers",
          value: (p: ModelPrice) =>
            p.tiers?.length ? p.tiers.map((t) => `>${t.aboveTokens}`).join(" ") : "",
        },
      ],
      entries,
      null,
      ctx.colors,
    ),
  );
}

async function importPrices(
  ctx: CliContext,
  source: string,
  opts: { json?: boolean; replace?: boolean },
): Promise<void> {
  const result = await importLiteLLM(/^[a-z]+:\/\//i.test(source) ? new URL(source) : source, {
    replace: opts.replace === true,
  });
  // A URL source is audited without its query or credentials (a signed download link may carry a token).
  const where = /^[a-z]+:\/\//i.test(source) ? new URL(source) : null;
  await auditCliAction(
    ctx,
    "prices.import",
    where ? `${where.protocol}//${where.host}${where.pathname}` : source,
    {
      replace: opts.replace === true,
      imported: result.imported,
      skipped: result.skipped.length,
    },
  );
  // Skipped and repaired entries are counted in the text; --json lists each one so a script can act on them.
  const summary = {
    source: result.source,
    cachePath: result.cachePath,
    imported: result.imported,
    skipped: result.skipped.length,
    repaired: result.repaired.length,
  };
  if (opts.json) {
    await ctx.out(
      `${JSON.stringify({ ...summary, skippedEntries: result.skipped, repairedEntries: result.repaired }, null, 2)}\n`,
    );
    return;
  }
  await ctx.out(
    `Imported ${result.imported} LiteLLM prices into ${result.cachePath ?? "(no cache)"}; skipped ${summary.skipped}, repaired ${summary.repaired}.\n`,
  );
  for (const r of result.repaired.slice(0, 10))
    ctx.note(`repaired ${r.key} ${r.field}: ${r.from} → ${r.to ?? "removed"} (${r.reason})`);
}
