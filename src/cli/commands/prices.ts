import type { Command } from "commander";
import { auditCliAction } from "../audit-actions.js";
import { stringify as toYaml } from "yaml";
import { catalogFreshness, sourceUrls } from "../../pricing/freshness.js";
import { bundledCatalog, importLiteLLM, type ModelPrice } from "../../pricing/index.js";
import { PROVIDER_NAMESPACES } from "../../pricing/providers.js";
import { totalInputTokens } from "../../core/buckets.js";
import type { CliContext } from "../context.js";
import { formatCount, formatUsd } from "../format/money.js";
import { renderTable } from "../format/table.js";
import type { Runner } from "../program.js";
import { registerPricesAudit } from "./prices-audit.js";
import { registerPricesReprice } from "./prices-reprice.js";

const RATE_COLUMNS = ["input", "output", "cacheRead", "cacheWrite5m", "cacheWrite1h"] as const;
// The built-in price namespaces, from the provider table.
const KNOWN_PROVIDERS = PROVIDER_NAMESPACES;

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

  prices
    .command("check")
    .description("List models in the ledger that have no price, with the config snippet that fixes them.")
    .option("--json", "print { models: [...] } as JSON")
    .addHelpText("after", `\nExamples:\n  $ tokenledger prices check\n  $ tokenledger prices check --json`)
    .action(run((ctx, opts: { json?: boolean }) => check(ctx, opts)));
  registerPricesAudit(prices, run);
  registerPricesReprice(prices, run);
  return prices;
}

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

function currentVersion(versions: readonly ModelPrice[], at = Date.now()): ModelPrice | undefined {
  return versions.find(
    (v) =>
      (!v.effectiveFrom || Date.parse(v.effectiveFrom) <= at) &&
      (!v.effectiveTo || Date.parse(v.effectiveTo) > at),
  );
}

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

function pickRates(p: ModelPrice): Record<string, string | null> {
  return Object.fromEntries(RATE_COLUMNS.map((r) => [r, p[r] ?? null]));
}

interface LookupOptions {
  readonly provider?: string;
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly at?: string;
  readonly serviceTier?: string;
  readonly batch?: boolean;
  readonly json?: boolean;
}

/** Provider namespaces the config's own prices use (`acme` from `acme/m-1`), after the built-in ones. */
function lookupProviders(ctx: CliContext): string[] {
  const custom = Object.keys(ctx.config.prices ?? {})
    .map((k) => k.slice(0, Math.max(0, k.indexOf("/"))).toLowerCase())
    .filter((p) => p.length > 0 && !KNOWN_PROVIDERS.includes(p));
  return [...KNOWN_PROVIDERS, ...new Set(custom)];
}

async function lookup(ctx: CliContext, model: string, opts: LookupOptions): Promise<void> {
  const pricer = await ctx.pricer();
  const at = opts.at ? new Date(opts.at) : new Date();
  if (Number.isNaN(at.getTime())) throw new Error(`--at "${opts.at}" is not a date`);
  const usage = {
    uncachedInputTokens: opts.input,
    outputTokens: opts.output,
    cacheReadTokens: opts.cacheRead,
  };
  for (const provider of opts.provider ? [opts.provider] : lookupProviders(ctx)) {
    const b = pricer.breakdown({
      provider,
      model,
      usage,
      at,
      serviceTier: opts.serviceTier ?? null,
      batch: opts.batch === true,
    });
    if (!b) continue;
    const price = pricer.lookup(provider, model, at);
    // Rates as billed for this request: after long-context tier, service tier, batch and regional multiplier.
    const effective = Object.fromEntries(
      b.buckets.filter((x) => x.bucket !== "webSearch").map((x) => [x.bucket, x.rate]),
    );
    const urls = sourceUrls(b.source);
    if (opts.json) {
      await ctx.out(
        `${JSON.stringify({ query: { provider, model, at: at.toISOString(), usage }, rates: price ? { ...pickRates(price), tiers: price.tiers ?? [] } : null, effectiveRates: effective, sourceUrls: urls, ...b }, null, 2)}\n`,
      );
      return;
    }
    const lines = [
      `${provider}/${model} → ${b.pricingKey} (matched by ${b.matchedBy}${b.matchedKey !== b.pricingKey ? ` via ${b.matchedKey}` : ""}, from ${b.origin})`,
      `  in force: ${b.effectiveFrom ?? "always"} → ${b.effectiveTo ?? "now"}${urls.length ? `; source: ${urls.join(" ")}` : ""}`,
      `  rates (USD/MTok): ${
        price
          ? RATE_COLUMNS.filter((r) => price[r])
              .map((r) => `${r} ${price[r]}`)
              .join(", ")
          : "-"
      }`,
      `  effective rates (USD/MTok${b.multiplier ? `, regional ×${b.multiplier}` : ""}${b.serviceTier !== "standard" ? `, ${b.serviceTier}` : ""}${b.batch ? ", batch" : ""}): input ${effective.textInput}, cache read ${effective.cacheRead}, cache write 5m ${effective.cacheWrite5m}, output ${effective.textOutput}`,
      ...(price?.tiers?.length
        ? [
            `  long-context tiers: ${price.tiers.map((t) => `above ${formatCount(t.aboveTokens)} tokens input ${t.input ?? "-"} output ${t.output ?? "-"}`).join("; ")}`,
          ]
        : []),
      `  sample: ${formatCount(opts.input)} input, ${formatCount(opts.cacheRead)} cache read, ${formatCount(opts.output)} output → ${formatUsd(b.costUsd)} (exact ${b.costUsd})${b.tier !== null ? `, tier >${b.tier} applied` : ""}`,
      ...b.buckets
        .filter((x) => x.quantity > 0)
        .map(
          (x) => `    ${x.bucket}: ${formatCount(x.quantity)} × ${x.rate}/MTok = ${x.costUsd} (${x.rule})`,
        ),
      ...b.notes.map((n) => `  note: ${n}`),
    ];
    await ctx.out(`${lines.join("\n")}\n`);
    return;
  }
  throw new Error(
    `no price for model "${model}"${opts.provider ? ` under provider "${opts.provider}"` : ""}; add one under prices: in tokenledger.config.yaml (see \`tokenledger prices check\`)`,
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

interface Unpriced {
  provider: string;
  model: string;
  events: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  invalidCounts: number;
  firstSeen: string;
  lastSeen: string;
}

async function check(ctx: CliContext, opts: { json?: boolean }): Promise<void> {
  const storage = await ctx.storage();
  const found = new Map<string, Unpriced>();
  for await (const e of storage.events({ unpricedOnly: true })) {
    const key = `${e.provider}/${e.model}`;
    const at = e.timestamp.toISOString();
    const u = found.get(key) ?? {
      provider: e.provider,
      model: e.model,
      events: 0,
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
      invalidCounts: 0,
      firstSeen: at,
      lastSeen: at,
    };
    u.events += 1;
    const input = totalInputTokens(e.usage);
    u.inputTokens += input;
    u.outputTokens += e.usage.outputTokens;
    u.totalTokens += input + e.usage.outputTokens;
    if (e.usageSource === "invalid" || e.usageSource === "missing") u.invalidCounts += 1;
    if (at < u.firstSeen) u.firstSeen = at;
    if (at > u.lastSeen) u.lastSeen = at;
    found.set(key, u);
  }
  // Ranked by tokens: what the report is missing, not how many calls.
  const models = [...found.values()].sort((a, b) => b.totalTokens - a.totalTokens || b.events - a.events);
  const fixable = models.filter((m) => m.events > m.invalidCounts);
  const snippet = fixable.length
    ? toYaml({
        prices: Object.fromEntries(
          fixable.map((m) => [
            `${m.provider}/${m.model}`,
            { input: "0.00", output: "0.00", cacheRead: "0.00" },
          ]),
        ),
      })
    : "";
  if (opts.json) {
    await ctx.out(`${JSON.stringify({ models, configSnippet: snippet || null }, null, 2)}\n`);
    return;
  }
  if (models.length === 0) {
    ctx.note("Every event in the ledger is priced.");
    return;
  }
  await ctx.out(
    renderTable(
      [
        { header: "Provider", value: (m: Unpriced) => m.provider, align: "left" },
        { header: "Model", value: (m: Unpriced) => m.model, align: "left" },
        { header: "Events", value: (m: Unpriced) => formatCount(m.events) },
        { header: "Input tokens", value: (m: Unpriced) => formatCount(m.inputTokens) },
        { header: "Output tokens", value: (m: Unpriced) => formatCount(m.outputTokens) },
        { header: "Bad counts", value: (m: Unpriced) => formatCount(m.invalidCounts) },
        { header: "First seen", value: (m: Unpriced) => m.firstSeen.slice(0, 10), align: "left" },
        { header: "Last seen", value: (m: Unpriced) => m.lastSeen.slice(0, 10), align: "left" },
      ],
      models,
      null,
      ctx.colors,
    ),
  );
  if (snippet) {
    await ctx.out(
      `\nFix: add these prices (USD per 1M tokens) to ${ctx.configPath ?? "tokenledger.config.yaml"}, with the provider's real rates:\n\n${snippet}\n` +
        "New events are priced with them; events already stored keep cost null.\n",
    );
  }
  if (models.some((m) => m.invalidCounts > 0)) {
    ctx.note(
      "Events under 'Bad counts' had invalid or missing token counts from the provider; no price can fix them.",
    );
  }
}
