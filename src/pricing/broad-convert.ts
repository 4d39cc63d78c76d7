import { Dec, numberToDecimalString } from "./decimal.js";
import type { RateField } from "./types.js";

/**
 * Build-time conversion of `@pydantic/genai-prices` provider data into the catalog's decimal document form
 * (the broad price layer, `broad.json`). Only the data is used, never the package's float arithmetic: each
 * float is turned into the decimal string of its shortest round-trip form.
 *
 * The input types below describe the subset of the package's data this reads, so the library does not depend
 * on the package at run time.
 */
export interface GenaiTieredPrice {
  readonly base: number;
  readonly tiers: readonly { readonly start: number; readonly price: number }[];
}
export type GenaiPrices = Readonly<Record<string, number | GenaiTieredPrice | undefined>>;
export interface GenaiConditionalPrice {
  readonly constraint?: { readonly type: string; readonly start_date?: string };
  readonly prices: GenaiPrices;
}
export interface GenaiModel {
  readonly id: string;
  readonly match: unknown;
  readonly prices: GenaiPrices | readonly GenaiConditionalPrice[];
}
export interface GenaiProvider {
  readonly id: string;
  readonly pricing_urls?: readonly string[];
  readonly models: readonly GenaiModel[];
}

/** genai-prices provider id → the catalog namespaces its models are written under. */
export const PROVIDER_NAMESPACES: Readonly<Record<string, readonly string[]>> = {
  openai: ["openai"],
  anthropic: ["anthropic"],
  google: ["gemini", "vertex"],
  aws: ["bedrock"],
  azure: ["azure"],
};

/** genai-prices price keys → catalog rate fields (token prices per 1M; web searches per 1,000). */
const FIELD_MAP: Readonly<Record<string, RateField>> = {
  input_mtok: "input",
  output_mtok: "output",
  cache_read_mtok: "cacheRead",
  cache_write_mtok: "cacheWrite5m",
  cache_write_1h_mtok: "cacheWrite1h",
  input_audio_mtok: "inputAudio",
  output_audio_mtok: "outputAudio",
  web_searches_kcount: "webSearchPerRequest",
};

/**
 * Providers whose batch APIs bill half the standard rate for every model (OpenAI Batch, Anthropic Message
 * Batches, Gemini/Vertex batch prediction, Bedrock batch inference). genai-prices has no batch rates, so the
 * broad layer carries this provider rule as `batchMultiplier`.
 */
const BATCH_HALF = new Set(["openai", "anthropic", "gemini", "vertex", "bedrock", "azure"]);

type Rates = Partial<Record<RateField, string>>;
interface Entry extends Rates {
  input: string;
  output: string;
  effectiveFrom?: string;
  effectiveTo?: string;
  tiers?: ({ aboveTokens: number } & Rates)[];
  batchMultiplier?: string;
  regionalMultiplier?: string;
  source: string;
}

export interface BroadDocument {
  $comment: string;
  version: 1;
  updated: string;
  dataVersion: string;
  providers: Record<string, Record<string, Entry | Entry[]>>;
  aliases: Record<string, string>;
}

export interface ConvertResult {
  readonly document: BroadDocument;
  /** Models left out, with the reason (no token prices, free, time-of-day pricing). */
  readonly skipped: readonly string[];
  /** Price keys the package has that the conversion does not carry (images, video, storage searches...). */
  readonly droppedFields: readonly string[];
}

export function convertGenaiPrices(
  providers: readonly GenaiProvider[],
  options: { readonly packageVersion: string; readonly updated: string },
): ConvertResult {
  const skipped: string[] = [];
  const dropped = new Set<string>();
  const out: BroadDocument["providers"] = {};
  const aliases: Record<string, string> = {};
  const via = `via @pydantic/genai-prices ${options.packageVersion}`;

  for (const provider of providers) {
    const namespaces = PROVIDER_NAMESPACES[provider.id];
    if (!namespaces) continue;
    const url = provider.pricing_urls?.[0];
    const source = url ? `${url} (${via})` : via;
    for (const ns of namespaces) {
      const table = (out[ns] ??= {});
      const models = provider.id === "aws" ? pairBedrock(provider.models) : provider.models.map(plain);
      for (const { key, model, regional } of models) {
        if (ns === "gemini" && /claude/.test(model.id)) continue; // Claude on Google is Vertex-only
        const versions = toEntries(model, source, BATCH_HALF.has(ns), dropped);
        if (typeof versions === "string") {
          skipped.push(`${provider.id}/${model.id}: ${versions}`);
          continue;
        }
        if (regional) applyRegional(versions, regional, dropped);
        const id = key.toLowerCase();
        if (table[id]) continue;
        table[id] = versions.length === 1 ? (versions[0] as Entry) : versions;
        // The geographic-profile entry's plain ids name the same model; its `us.`/`eu.` ids must keep their
        // prefix (and so the regional multiplier), so they are not aliased to the global price.
        const regionalIds = regional ? matchIds(regional.match).filter((a) => !GEO_PREFIX.test(a)) : [];
        for (const alias of [...matchIds(model.match), ...regionalIds]) {
          const a = alias.toLowerCase();
          if (a === id || table[a]) continue;
          aliases[`${ns}/${a}`] ??= `${ns}/${id}`;
        }
      }
    }
  }
  // An alias never shadows a price key.
  for (const from of Object.keys(aliases)) {
    const [ns, ...rest] = from.split("/");
    if (out[ns as string]?.[rest.join("/")]) delete aliases[from];
  }
  return {
    document: {
      $comment:
        `Generated by \`npm run prices:broad\` from @pydantic/genai-prices ${options.packageVersion}; do not edit by hand. ` +
        "The broad price layer: used only where the curated catalog (catalog.json) and user overrides have no price. " +
        "Token rates are USD per 1,000,000 tokens as decimal strings; batchMultiplier is the providers' 50% batch rule.",
      version: 1,
      updated: options.updated,
      dataVersion: `@pydantic/genai-prices@${options.packageVersion}`,
      providers: sortKeys(out),
      aliases: sortKeys(aliases),
    },
    skipped,
    droppedFields: [...dropped].sort(),
  };
}

const GEO_PREFIX = /^(us|eu|apac|jp|au|ca|in|us-gov)\./;

interface Keyed {
  readonly key: string;
  readonly model: GenaiModel;
  /** The in-region (geographic profile) price of the same model, for Bedrock. */
  readonly regional?: GenaiModel;
}

function plain(model: GenaiModel): Keyed {
  return { key: model.id, model };
}

/**
 * Bedrock: genai-prices lists `global.<id>` (global cross-region profile) and `regional.<id>` (geographic
 * profiles `us.`/`eu.`/...) separately. The catalog keys the bare id at the global price with a regional
 * multiplier; a model with only one of the two keeps that price.
 */
function pairBedrock(models: readonly GenaiModel[]): Keyed[] {
  const byBase = new Map<string, { global?: GenaiModel; regional?: GenaiModel; plain?: GenaiModel }>();
  for (const m of models) {
    const g = /^(global|regional)\.(.+)$/.exec(m.id);
    const base = g?.[2] ?? m.id;
    const slot = byBase.get(base) ?? {};
    if (g?.[1] === "global") slot.global = m;
    else if (g?.[1] === "regional") slot.regional = m;
    else slot.plain = m;
    byBase.set(base, slot);
  }
  const out: Keyed[] = [];
  for (const [base, slot] of byBase) {
    const main = slot.global ?? slot.plain ?? slot.regional;
    if (!main) continue;
    out.push(
      slot.regional && main !== slot.regional
        ? { key: base, model: main, regional: slot.regional }
        : { key: base, model: main },
    );
  }
  return out;
}

/** Every literal id a match rule names (`equals`, and `starts_with`/`contains`/`ends_with` values that are whole ids). */
export function matchIds(match: unknown): string[] {
  const out: string[] = [];
  const walk = (m: unknown) => {
    if (!m || typeof m !== "object") return;
    const o = m as Record<string, unknown>;
    for (const list of [o.or, o.and]) if (Array.isArray(list)) list.forEach(walk);
    if (typeof o.equals === "string") out.push(o.equals);
    for (const k of ["starts_with", "contains", "ends_with"])
      if (typeof o[k] === "string" && /^[a-z0-9][a-z0-9.:_-]*[a-z0-9]$/i.test(o[k] as string) && !o.and)
        out.push(o[k] as string);
  };
  walk(match);
  return out;
}

function toEntries(
  model: GenaiModel,
  source: string,
  batchHalf: boolean,
  dropped: Set<string>,
): Entry[] | string {
  const list: readonly GenaiConditionalPrice[] = Array.isArray(model.prices)
    ? (model.prices as readonly GenaiConditionalPrice[])
    : [{ prices: model.prices as GenaiPrices }];
  if (list.some((c) => c.constraint && c.constraint.type !== "start_date"))
    return "time-of-day pricing is not carried";
  const sorted = [...list].sort((a, b) => startOf(a).localeCompare(startOf(b)));
  const entries: Entry[] = [];
  for (const [i, c] of sorted.entries()) {
    const e = toEntry(c.prices, source, batchHalf, dropped);
    if (typeof e === "string") return e;
    const from = c.constraint?.start_date;
    const next = sorted[i + 1]?.constraint?.start_date;
    if (from) e.effectiveFrom = from;
    if (next) e.effectiveTo = next;
    entries.push(e);
  }
  return entries;
}

function startOf(c: GenaiConditionalPrice): string {
  return c.constraint?.start_date ?? "";
}

function toEntry(
  prices: GenaiPrices,
  source: string,
  batchHalf: boolean,
  dropped: Set<string>,
): Entry | string {
  const rates: Rates = {};
  const tierStarts = new Set<number>();
  const fields: [RateField, number | GenaiTieredPrice][] = [];
  for (const [k, v] of Object.entries(prices)) {
    if (v === undefined) continue;
    const field = FIELD_MAP[k];
    if (!field) {
      dropped.add(k);
      continue;
    }
    fields.push([field, v]);
    if (typeof v !== "number") for (const t of v.tiers) tierStarts.add(t.start);
  }
  for (const [field, v] of fields) rates[field] = rate(field, typeof v === "number" ? v : v.base);
  if (rates.input === undefined && rates.output === undefined) return "no token prices";
  if (isZero(rates.input) && isZero(rates.output)) return "listed at $0 (left unpriced)";
  const entry: Entry = { ...rates, input: rates.input ?? "0", output: rates.output ?? "0", source };
  const starts = [...tierStarts].sort((a, b) => a - b);
  if (starts.length > 0) {
    entry.tiers = starts.map((start) => {
      const tier: { aboveTokens: number } & Rates = { aboveTokens: start };
      for (const [field, v] of fields) {
        if (field === "webSearchPerRequest") continue;
        let price = typeof v === "number" ? v : v.base;
        if (typeof v !== "number") for (const t of v.tiers) if (t.start <= start) price = t.price;
        tier[field] = rate(field, price);
      }
      return tier;
    });
  }
  if (batchHalf) entry.batchMultiplier = "0.5";
  return entry;
}

function rate(field: RateField, value: number): string {
  const s = numberToDecimalString(value);
  return field === "webSearchPerRequest" ? new Dec(s).div(1000).toFixed() : s;
}

function isZero(s: string | undefined): boolean {
  return s === undefined || new Dec(s).isZero();
}

/** Geographic-profile prices as a multiplier over the global price when every rate scales by the same factor. */
function applyRegional(versions: Entry[], regional: GenaiModel, dropped: Set<string>): void {
  const r = toEntries(regional, "", false, dropped);
  const g = versions[versions.length - 1];
  const last = typeof r === "string" ? undefined : r[r.length - 1];
  if (!g || !last || isZero(g.input)) return;
  const m = new Dec(last.input).div(new Dec(g.input));
  const fields: RateField[] = ["input", "output", "cacheRead", "cacheWrite5m", "cacheWrite1h"];
  const consistent = fields.every((f) => {
    const gv = g[f];
    const rv = last[f];
    return gv === undefined || rv === undefined || new Dec(gv).times(m).eq(new Dec(rv));
  });
  if (consistent && !m.eq(1)) for (const v of versions) v.regionalMultiplier = m.toFixed();
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) {
    const v = o[k] as T;
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && !("input" in v)
        ? (sortKeys(v as Record<string, unknown>) as T)
        : v;
  }
  return out;
}
