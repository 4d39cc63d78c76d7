import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { TokenLedgerConfigError } from "../core/errors.js";
import { Dec, MILLION } from "./decimal.js";
import { isAnthropicLike, providerNamespace } from "./model-id.js";
import { litellmProviderNamespace } from "./providers.js";
import { describeIssues, strictEntry, strictVersions, type ParsedEntry } from "./schema.js";
import { toVersions } from "./table.js";
import type { ModelPrice, PriceTable, RateSet } from "./types.js";

/**
 * Import LiteLLM's `model_prices_and_context_window.json` (MIT, BerriAI/litellm): per-token USD floats are
 * converted exactly (shortest round-trip decimal string × 1e6) into per-million decimal strings, entries are
 * validated, known data bugs repaired, and the result is cached locally. Nothing here runs on a tracked call.
 */
export interface LiteLLMImportOptions {
  /** Where the normalised table is stored. Default `$XDG_CACHE_HOME/tokenledger/litellm-prices.json`; `false` skips it. */
  readonly cachePath?: string | false;
  /** Download timeout for a URL source. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * LiteLLM prices replace the curated catalog's and the broad layer's for the models both have. Default false:
   * the import only fills models no other layer prices.
   */
  readonly replace?: boolean;
}

export interface LiteLLMRepair {
  readonly key: string;
  readonly field: string;
  readonly from: string;
  readonly to: string | null;
  readonly reason: string;
}

export interface LiteLLMImportResult {
  readonly source: string;
  readonly cachePath: string | null;
  readonly table: PriceTable;
  readonly imported: number;
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
  readonly repaired: readonly LiteLLMRepair[];
}

const CACHE_FORMAT = "tokenledger-litellm-cache";

/** `$XDG_CACHE_HOME/tokenledger/litellm-prices.json`, else `~/.cache/tokenledger/litellm-prices.json`. */
export function defaultLiteLLMCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "tokenledger", "litellm-prices.json");
}

/** Load a LiteLLM price file from a path, a `file:` URL or an http(s) URL, convert it and cache it. */
export async function importLiteLLM(
  source: string | URL,
  options: LiteLLMImportOptions = {},
): Promise<LiteLLMImportResult> {
  const label = String(source);
  const text = await readSource(source, options.timeoutMs ?? 30_000);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TokenLedgerConfigError(
      `LiteLLM price file ${label} is not valid JSON: ${(err as Error).message}`,
    );
  }
  const converted = convertLiteLLM(doc, label);
  const cachePath = options.cachePath === false ? null : (options.cachePath ?? defaultLiteLLMCachePath());
  const replace = options.replace === true;
  if (cachePath) writeCache(cachePath, label, converted.prices, replace);
  return {
    source: label,
    cachePath,
    table: indexPrices(converted.prices, "litellm", label, replace),
    imported: Object.keys(converted.prices).length,
    skipped: converted.skipped,
    repaired: converted.repaired,
  };
}

async function readSource(source: string | URL, timeoutMs: number): Promise<string> {
  const url = source instanceof URL ? source : /^https?:\/\//i.test(source) ? new URL(source) : undefined;
  if (url && url.protocol !== "file:") {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new TokenLedgerConfigError(
        `LiteLLM price file ${url.href} could not be downloaded: ${(err as Error).message}`,
      );
    }
    if (!res.ok)
      throw new TokenLedgerConfigError(
        `LiteLLM price file ${url.href} could not be downloaded: HTTP ${res.status}`,
      );
    return await res.text();
  }
  const path = url ? fileURLToPath(url) : String(source);
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new TokenLedgerConfigError(`LiteLLM price file ${path} cannot be read: ${(err as Error).message}`);
  }
}

/** LiteLLM `litellm_provider` → our price namespace. */
export function litellmNamespace(litellmProvider: string): string {
  return litellmProviderNamespace(litellmProvider) ?? providerNamespace(litellmProvider.toLowerCase());
}

const TOKEN_MODES = new Set(["chat", "completion", "responses", "embedding", "realtime"]);
const num = z.number().finite().nonnegative();

/** Convert LiteLLM's document into `<provider>/<model>` → entry (per-million decimal strings). */
export function convertLiteLLM(
  doc: unknown,
  where: string,
): {
  prices: Record<string, ParsedEntry>;
  skipped: { key: string; reason: string }[];
  repaired: LiteLLMRepair[];
} {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new TokenLedgerConfigError(
      `LiteLLM price file ${where} is invalid: expected a JSON object of model entries`,
    );
  }
  const prices: Record<string, ParsedEntry> = {};
  const skipped: { key: string; reason: string }[] = [];
  const repaired: LiteLLMRepair[] = [];
  for (const [key, raw] of Object.entries(doc as Record<string, unknown>)) {
    if (key === "sample_spec") continue;
    const result = convertEntry(key, raw, repaired);
    if (typeof result === "string") skipped.push({ key, reason: result });
    else prices[result.key] = result.entry;
  }
  if (Object.keys(prices).length === 0) {
    throw new TokenLedgerConfigError(
      `LiteLLM price file ${where} is invalid: no model entry with per-token prices`,
    );
  }
  return { prices, skipped, repaired };
}

function convertEntry(
  key: string,
  raw: unknown,
  repaired: LiteLLMRepair[],
): { key: string; entry: ParsedEntry } | string {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return "not an object";
  const e = raw as Record<string, unknown>;
  if (typeof e.litellm_provider !== "string" || e.litellm_provider.length === 0) return "no litellm_provider";
  if (typeof e.mode === "string" && !TOKEN_MODES.has(e.mode)) return `mode ${e.mode} is not priced per token`;
  for (const [field, value] of Object.entries(e)) {
    if (/cost/.test(field) && typeof value !== "object" && !num.safeParse(value).success)
      return `${field} is not a non-negative number`;
  }
  if (typeof e.input_cost_per_token !== "number") return "no input_cost_per_token";
  if (typeof e.output_cost_per_token !== "number" && e.mode !== "embedding")
    return "no output_cost_per_token";
  // $0 is LiteLLM's placeholder for "unknown" as often as a real free tier: never import it as a price.
  if (e.input_cost_per_token === 0 && (e.output_cost_per_token ?? 0) === 0)
    return "listed at $0: left unpriced (a $0 price is never imported)";

  const namespace = litellmNamespace(e.litellm_provider);
  const model = stripPrefix(key, [
    e.litellm_provider,
    namespace,
    "vertex_ai",
    "bedrock",
    "azure",
    "gemini",
    "openai",
    "anthropic",
  ]);
  const pricingKey = `${namespace}/${model}`;
  const anthropicLike = isAnthropicLike(namespace, model);
  const perM = (v: unknown): string | undefined =>
    typeof v === "number" ? new Dec(String(v)).times(MILLION).toFixed() : undefined;
  const input = perM(e.input_cost_per_token) as string;

  const cacheRate = (field: string, value: unknown, base: string): string | undefined => {
    const r = perM(value);
    if (r === "0" && base !== "0") {
      repaired.push({
        key,
        field,
        from: "0",
        to: null,
        reason: "a $0 cache rate is a LiteLLM default, not a price: provider fallback used",
      });
      return undefined;
    }
    return r;
  };
  const oneHour = (field: string, value: unknown, base: string): string | undefined => {
    const r = cacheRate(field, value, base);
    if (!anthropicLike || r === undefined) return r;
    const expected = new Dec(base).times(2).toFixed();
    if (r !== expected)
      repaired.push({
        key,
        field,
        from: r,
        to: expected,
        reason: "1-hour cache write is 2× input for Claude",
      });
    return expected;
  };

  const entry: Record<string, unknown> = {
    input,
    output: perM(e.output_cost_per_token) ?? "0",
    cacheRead: cacheRate("cache_read_input_token_cost", e.cache_read_input_token_cost, input),
    cacheWrite5m: cacheRate("cache_creation_input_token_cost", e.cache_creation_input_token_cost, input),
    cacheWrite1h: oneHour(
      "cache_creation_input_token_cost_above_1hr",
      e.cache_creation_input_token_cost_above_1hr,
      input,
    ),
    inputAudio: perM(e.input_cost_per_audio_token),
    outputAudio: perM(e.output_cost_per_audio_token),
    reasoning: perM(e.output_cost_per_reasoning_token),
    webSearchPerRequest: webSearch(e.search_context_cost_per_query),
    source: `LiteLLM ${key}`,
  };
  const tiers: Record<string, unknown>[] = [];
  for (const field of Object.keys(e)) {
    const m = /^input_cost_per_token_above_(\d+)(k?)_tokens$/.exec(field);
    if (!m?.[1]) continue;
    const suffix = `above_${m[1]}${m[2] ?? ""}_tokens`;
    const tierInput = perM(e[field]) as string;
    tiers.push({
      aboveTokens: Number(m[1]) * (m[2] ? 1000 : 1),
      input: tierInput,
      output: perM(e[`output_cost_per_token_${suffix}`]),
      cacheRead: cacheRate(
        `cache_read_input_token_cost_${suffix}`,
        e[`cache_read_input_token_cost_${suffix}`],
        tierInput,
      ),
      cacheWrite5m: cacheRate(
        `cache_creation_input_token_cost_${suffix}`,
        e[`cache_creation_input_token_cost_${suffix}`],
        tierInput,
      ),
      cacheWrite1h: oneHour(
        `cache_creation_input_token_cost_above_1hr_${suffix}`,
        e[`cache_creation_input_token_cost_above_1hr_${suffix}`],
        tierInput,
      ),
    });
  }
  if (tiers.length > 0)
    entry.tiers = tiers.sort((a, b) => (a.aboveTokens as number) - (b.aboveTokens as number));
  const batch: RateSet = compact({
    input: perM(e.input_cost_per_token_batches),
    output: perM(e.output_cost_per_token_batches),
  });
  if (Object.keys(batch).length > 0) entry.batch = batch;
  const serviceTiers: Record<string, RateSet> = {};
  for (const t of ["flex", "priority"] as const) {
    const set = compact({
      input: perM(e[`input_cost_per_token_${t}`]),
      output: perM(e[`output_cost_per_token_${t}`]),
      cacheRead: perM(e[`cache_read_input_token_cost_${t}`]),
    });
    if (Object.keys(set).length > 0) serviceTiers[t] = set;
  }
  if (Object.keys(serviceTiers).length > 0) entry.serviceTiers = serviceTiers;

  const checked = strictEntry.safeParse(compact(entry));
  if (!checked.success) return `invalid after conversion: ${describeIssues(checked.error)}`;
  return { key: pricingKey, entry: checked.data };
}

function webSearch(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const medium = (value as Record<string, unknown>).search_context_size_medium;
  return typeof medium === "number" && Number.isFinite(medium) && medium >= 0
    ? new Dec(String(medium)).toFixed()
    : undefined;
}

function stripPrefix(key: string, prefixes: readonly string[]): string {
  for (const p of prefixes) if (key.startsWith(`${p}/`)) return key.slice(p.length + 1);
  return key;
}

function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined) delete o[k];
    else if (Array.isArray(v))
      for (const item of v) if (item && typeof item === "object") compact(item as Record<string, unknown>);
  }
  return o;
}

function writeCache(
  path: string,
  source: string,
  prices: Record<string, ParsedEntry>,
  replace: boolean,
): void {
  const doc = {
    format: CACHE_FORMAT,
    version: 1,
    source,
    importedAt: new Date().toISOString(),
    ...(replace ? { replace } : {}),
    prices,
  };
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(doc) + "\n");
    renameSync(tmp, path); // atomic: a reader never sees a half-written cache
  } catch (err) {
    throw new TokenLedgerConfigError(
      `LiteLLM price cache ${path} cannot be written: ${(err as Error).message}`,
    );
  }
}

const cacheSchema = z
  .object({
    format: z.literal(CACHE_FORMAT, { error: `must be "${CACHE_FORMAT}"` }),
    version: z.literal(1, { error: "must be 1" }),
    source: z.string(),
    importedAt: z.string(),
    replace: z.boolean().optional(),
    prices: z.record(z.string().min(1), strictVersions),
  })
  .strict();

/** Read a cache written by `importLiteLLM` (synchronously: called once at pricer setup). */
export function readLiteLLMCache(path: string): PriceTable {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new TokenLedgerConfigError(`LiteLLM price cache ${path} cannot be read: ${(err as Error).message}`);
  }
  const parsed = cacheSchema.safeParse(doc);
  if (!parsed.success)
    throw new TokenLedgerConfigError(
      `LiteLLM price cache ${path} is invalid: ${describeIssues(parsed.error)}`,
    );
  return indexPrices(
    parsed.data.prices,
    "litellm",
    `LiteLLM price cache ${path}`,
    parsed.data.replace === true,
  );
}

function indexPrices(
  prices: Record<string, ParsedEntry | ParsedEntry[]>,
  origin: "litellm",
  where: string,
  replace: boolean,
): PriceTable {
  const map = new Map<string, ModelPrice[]>();
  for (const [key, entry] of Object.entries(prices)) {
    const i = key.indexOf("/");
    map.set(key, toVersions(key.slice(0, i), key.slice(i + 1), entry, origin, where));
  }
  return replace ? { prices: map, aliases: new Map(), replaces: true } : { prices: map, aliases: new Map() };
}
