/**
 * Token buckets. They are disjoint for billing: every token is priced exactly once.
 *
 * | bucket               | meaning                                                      |
 * | -------------------- | ------------------------------------------------------------ |
 * | uncachedInputTokens  | fresh prompt tokens, not read from or written to a cache     |
 * | cacheReadTokens      | prompt tokens served from a cache (cache-read rate)          |
 * | cacheWrite5mTokens   | prompt tokens written to a 5-minute cache (cache-write rate) |
 * | cacheWrite1hTokens   | prompt tokens written to a 1-hour cache                      |
 * | outputTokens         | every billed output token, reasoning/thinking included       |
 * | reasoningTokens      | ⊂ outputTokens, for reporting                                |
 * | inputAudioTokens     | ⊂ uncachedInputTokens, priced at the audio rate              |
 * | outputAudioTokens    | ⊂ outputTokens, priced at the audio rate                     |
 */
export interface TokenBuckets {
  readonly uncachedInputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWrite5mTokens: number;
  readonly cacheWrite1hTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
  readonly inputAudioTokens: number;
  readonly outputAudioTokens: number;
}

/** Provider usage after normalisation: the buckets plus what pricing needs besides them. */
export interface NormalizedUsage extends TokenBuckets {
  /** Prompt size that selects a long-context tier (`> threshold` bills the whole request higher). */
  readonly tierBasisTokens: number;
  /** Billed web-search requests (Anthropic server tools). */
  readonly webSearchRequests: number;
}

export const BUCKET_KEYS = [
  "uncachedInputTokens",
  "cacheReadTokens",
  "cacheWrite5mTokens",
  "cacheWrite1hTokens",
  "outputTokens",
  "reasoningTokens",
  "inputAudioTokens",
  "outputAudioTokens",
] as const satisfies readonly (keyof TokenBuckets)[];

/** Every NormalizedUsage count, buckets first: the order usage columns are validated and exported in. */
export const USAGE_KEYS = [
  ...BUCKET_KEYS,
  "tierBasisTokens",
  "webSearchRequests",
] as const satisfies readonly (keyof NormalizedUsage)[];

export const EMPTY_USAGE: NormalizedUsage = Object.freeze({
  uncachedInputTokens: 0,
  cacheReadTokens: 0,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  outputTokens: 0,
  reasoningTokens: 0,
  inputAudioTokens: 0,
  outputAudioTokens: 0,
  tierBasisTokens: 0,
  webSearchRequests: 0,
});

/** All prompt-side tokens (OpenTelemetry GenAI `input_tokens` semantics): cache reads and writes included. */
export function totalInputTokens(b: TokenBuckets): number {
  return b.uncachedInputTokens + b.cacheReadTokens + b.cacheWrite5mTokens + b.cacheWrite1hTokens;
}
