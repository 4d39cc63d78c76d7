import { z } from "zod";
import { TokenLedgerConfigError } from "../core/errors.js";
import { Dec, MILLION } from "./decimal.js";
import { isAnthropicLike, providerNamespace } from "./model-id.js";
import { litellmProviderNamespace } from "./providers.js";
import { describeIssues, strictEntry, type ParsedEntry } from "./schema.js";
import type { RateSet } from "./types.js";

/** A LiteLLM value we changed or dropped on import, and why (printed by `prices import-litellm`). */
export interface LiteLLMRepair {
  readonly key: string;
  readonly field: string;
  readonly from: string;
  readonly to: string | null;
  readonly reason: string;
}

/** LiteLLM `litellm_provider` → our price namespace. */
export function litellmNamespace(litellmProvider: string): string {
  return litellmProviderNamespace(litellmProvider) ?? providerNamespace(litellmProvider.toLowerCase());
}

// Image, audio-transcription, rerank… entries are priced per image/second/query: not our token model.
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
    if (key === "sample_spec") continue; // LiteLLM's documentation entry, not a model
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

/** One model entry: our key and entry, or the reason it is skipped. */
function convertEntry(
  key: string,
  raw: unknown,
  repaired: LiteLLMRepair[],
): { key: string; entry: ParsedEntry } | string {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return "not an object";
  const e = raw as Record<string, unknown>;
  const rejected = rejectReason(e);
  if (rejected) return rejected;
  const provider = e.litellm_provider as string;
  const namespace = litellmNamespace(provider);
  const model = stripPrefix(key, [
    provider,
    namespace,
    "vertex_ai",
    "bedrock",
    "azure",
    "gemini",
    "openai",
    "anthropic",
  ]);
  const rates = new Rates(key, e, isAnthropicLike(namespace, model), repaired);
  const entry: Record<string, unknown> = { ...rates.base(), source: `LiteLLM ${key}` };
  const tiers = rates.contextTiers();
  if (tiers.length > 0) entry.tiers = tiers;
  const batch = rates.batch();
  if (Object.keys(batch).length > 0) entry.batch = batch;
  const serviceTiers = rates.serviceTiers();
  if (Object.keys(serviceTiers).length > 0) entry.serviceTiers = serviceTiers;

  const checked = strictEntry.safeParse(compact(entry));
  if (!checked.success) return `invalid after conversion: ${describeIssues(checked.error)}`;
  return { key: `${namespace}/${model}`, entry: checked.data };
}

/** Why an entry cannot be imported as a per-token price, or null when it can. */
function rejectReason(e: Record<string, unknown>): string | null {
  if (typeof e.litellm_provider !== "string" || e.litellm_provider.length === 0) return "no litellm_provider";
  if (typeof e.mode === "string" && !TOKEN_MODES.has(e.mode)) return `mode ${e.mode} is not priced per token`;
  for (const [field, value] of Object.entries(e)) {
    if (/cost/.test(field) && typeof value !== "object" && !num.safeParse(value).success)
      return `${field} is not a non-negative number`;
  }
  if (typeof e.input_cost_per_token !== "number") return "no input_cost_per_token";
  // Embeddings bill input only.
  if (typeof e.output_cost_per_token !== "number" && e.mode !== "embedding")
    return "no output_cost_per_token";
  // $0 is LiteLLM's placeholder for "unknown" as often as a real free tier: never import it as a price.
  if (e.input_cost_per_token === 0 && (e.output_cost_per_token ?? 0) === 0)
    return "listed at $0: left unpriced (a $0 price is never imported)";
  return null;
}

/** Per-token USD float → per-million decimal string, exactly (shortest round-trip string, then × 1e6). */
function perM(v: unknown): string | undefined {
  return typeof v === "number" ? new Dec(String(v)).times(MILLION).toFixed() : undefined;
}

/** Reads one entry's rates, recording every repair of a known LiteLLM data bug. */
class Rates {
  constructor(
    private readonly key: string,
    private readonly e: Record<string, unknown>,
    private readonly anthropicLike: boolean,
    private readonly repaired: LiteLLMRepair[],
  ) {}

  /** The standard rates (context up to the first tier). */
  base(): Record<string, unknown> {
    const e = this.e;
    const input = perM(e.input_cost_per_token) as string;
    return {
      input,
      output: perM(e.output_cost_per_token) ?? "0",
      cacheRead: this.cacheRate("cache_read_input_token_cost", input),
      cacheWrite5m: this.cacheRate("cache_creation_input_token_cost", input),
      cacheWrite1h: this.oneHour("cache_creation_input_token_cost_above_1hr", input),
      inputAudio: perM(e.input_cost_per_audio_token),
      outputAudio: perM(e.output_cost_per_audio_token),
      reasoning: perM(e.output_cost_per_reasoning_token),
      webSearchPerRequest: webSearch(e.search_context_cost_per_query),
    };
  }

  /** Long-context tiers (`*_above_200k_tokens`), ascending: the whole request is billed at its tier's rates. */
  contextTiers(): Record<string, unknown>[] {
    const tiers: Record<string, unknown>[] = [];
    for (const field of Object.keys(this.e)) {
      const m = /^input_cost_per_token_above_(\d+)(k?)_tokens$/.exec(field);
      if (!m?.[1]) continue;
      const suffix = `above_${m[1]}${m[2] ?? ""}_tokens`;
      const tierInput = perM(this.e[field]) as string;
      tiers.push({
        aboveTokens: Number(m[1]) * (m[2] ? 1000 : 1),
        input: tierInput,
        output: perM(this.e[`output_cost_per_token_${suffix}`]),
        cacheRead: this.cacheRate(`cache_read_input_token_cost_${suffix}`, tierInput),
        cacheWrite5m: this.cacheRate(`cache_creation_input_token_cost_${suffix}`, tierInput),
        cacheWrite1h: this.oneHour(`cache_creation_input_token_cost_above_1hr_${suffix}`, tierInput),
      });
    }
    return tiers.sort((a, b) => (a.aboveTokens as number) - (b.aboveTokens as number));
  }

  /** Batch API rates (input and output only in LiteLLM's file). */
  batch(): RateSet {
    return compact({
      input: perM(this.e.input_cost_per_token_batches),
      output: perM(this.e.output_cost_per_token_batches),
    });
  }

  /** OpenAI's `flex` and `priority` service tiers. */
  serviceTiers(): Record<string, RateSet> {
    const out: Record<string, RateSet> = {};
    for (const t of ["flex", "priority"] as const) {
      const set = compact({
        input: perM(this.e[`input_cost_per_token_${t}`]),
        output: perM(this.e[`output_cost_per_token_${t}`]),
        cacheRead: perM(this.e[`cache_read_input_token_cost_${t}`]),
      });
      if (Object.keys(set).length > 0) out[t] = set;
    }
    return out;
  }

  private cacheRate(field: string, base: string): string | undefined {
    const r = perM(this.e[field]);
    if (r === "0" && base !== "0") {
      this.repaired.push({
        key: this.key,
        field,
        from: "0",
        to: null,
        reason: "a $0 cache rate is a LiteLLM default, not a price: provider fallback used",
      });
      return undefined;
    }
    return r;
  }

  /** Anthropic bills a 1-hour cache write at exactly 2× input: where LiteLLM's figure differs, the rule wins. */
  private oneHour(field: string, base: string): string | undefined {
    const r = this.cacheRate(field, base);
    if (!this.anthropicLike || r === undefined) return r;
    const expected = new Dec(base).times(2).toFixed();
    if (r !== expected)
      this.repaired.push({
        key: this.key,
        field,
        from: r,
        to: expected,
        reason: "1-hour cache write is 2× input for Claude",
      });
    return expected;
  }
}

/** LiteLLM's web-search price is per query by context size; we price the medium size per request. */
function webSearch(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const medium = (value as Record<string, unknown>).search_context_size_medium;
  return typeof medium === "number" && Number.isFinite(medium) && medium >= 0
    ? new Dec(String(medium)).toFixed()
    : undefined;
}

/** LiteLLM keys sometimes repeat the provider (`vertex_ai/gemini-…`); our keys name it once. */
function stripPrefix(key: string, prefixes: readonly string[]): string {
  for (const p of prefixes) if (key.startsWith(`${p}/`)) return key.slice(p.length + 1);
  return key;
}

/** Drop undefined fields, in place and in nested arrays, so the strict schema sees only what was given. */
function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v === undefined) delete o[k];
    else if (Array.isArray(v))
      for (const item of v) if (item && typeof item === "object") compact(item as Record<string, unknown>);
  }
  return o;
}
