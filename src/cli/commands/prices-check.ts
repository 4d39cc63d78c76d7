import { stringify as toYaml } from "yaml";
import { totalInputTokens } from "../../core/buckets.js";
import type { LedgerEvent } from "../../core/event.js";
import type { CliContext } from "../context.js";
import { formatCount } from "../format/money.js";
import { renderTable } from "../format/table.js";

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

/** `prices check`: the unpriced models in the ledger, and the config snippet that prices the fixable ones. */
export async function check(ctx: CliContext, opts: { json?: boolean }): Promise<void> {
  const storage = await ctx.storage();
  const found = new Map<string, Unpriced>();
  for await (const e of storage.events({ unpricedOnly: true })) addUnpriced(found, e);
  // Ranked by tokens: what the report is missing, not how many calls.
  const models = [...found.values()].sort((a, b) => b.totalTokens - a.totalTokens || b.events - a.events);
  const snippet = configSnippet(models);
  if (opts.json) {
    await ctx.out(`${JSON.stringify({ models, configSnippet: snippet || null }, null, 2)}\n`);
    return;
  }
  if (models.length === 0) {
    ctx.note("Every event in the ledger is priced.");
    return;
  }
  await ctx.out(unpricedTable(models, ctx.colors));
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

/** Fold one unpriced event into its provider/model row. */
function addUnpriced(found: Map<string, Unpriced>, e: LedgerEvent): void {
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

/**
 * A `prices:` block with zero placeholders for the models a price can fix. A model whose every event had bad token
 * counts is left out: pricing it would still give null cost, so offering the snippet would mislead.
 */
function configSnippet(models: readonly Unpriced[]): string {
  const fixable = models.filter((m) => m.events > m.invalidCounts);
  if (!fixable.length) return "";
  const zero = { input: "0.00", output: "0.00", cacheRead: "0.00" };
  return toYaml({ prices: Object.fromEntries(fixable.map((m) => [`${m.provider}/${m.model}`, zero])) });
}

function unpricedTable(models: readonly Unpriced[], colors: CliContext["colors"]): string {
  return renderTable(
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
    [...models],
    null,
    colors,
  );
}
