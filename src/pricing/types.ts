/**
 * Price data shapes. Token rates are USD per 1,000,000 tokens as decimal strings (never floats);
 * `webSearchPerRequest` is USD per request.
 */
export interface RateSet {
  readonly input?: string;
  readonly output?: string;
  readonly cacheRead?: string;
  readonly cacheWrite5m?: string;
  readonly cacheWrite1h?: string;
  readonly inputAudio?: string;
  readonly outputAudio?: string;
  /** Rate for reasoning/thinking tokens when it differs from `output`. */
  readonly reasoning?: string;
  readonly webSearchPerRequest?: string;
}

export const RATE_FIELDS = [
  "input",
  "output",
  "cacheRead",
  "cacheWrite5m",
  "cacheWrite1h",
  "inputAudio",
  "outputAudio",
  "reasoning",
  "webSearchPerRequest",
] as const satisfies readonly (keyof RateSet)[];

export type RateField = (typeof RATE_FIELDS)[number];

/** Long-context rates: when the request's tierBasisTokens is strictly above `aboveTokens`, every bucket uses them. */
export interface PriceTier extends RateSet {
  readonly aboveTokens: number;
}

export type ServiceTierName = "flex" | "priority";

/** One price of one model, in force from `effectiveFrom` (inclusive) to `effectiveTo` (exclusive). */
export interface ModelPrice extends RateSet {
  /** Provider namespace: `openai`, `azure`, `anthropic`, `gemini`, `vertex`, `bedrock`, or an OpenAI-compatible name. */
  readonly provider: string;
  /** Model id inside the provider namespace (`gpt-4o`, `eu/gpt-4o-2024-08-06`, `us.anthropic.claude-...`). */
  readonly model: string;
  /** `<provider>/<model>`: what events record as `pricingKey`. */
  readonly key: string;
  readonly input: string;
  readonly output: string;
  readonly effectiveFrom?: string;
  readonly effectiveTo?: string;
  /** Ascending by `aboveTokens`. */
  readonly tiers?: readonly PriceTier[];
  /** Batch API rates (overlay); missing ones use `batchMultiplier` × the normal rate. */
  readonly batch?: RateSet;
  readonly batchMultiplier?: string;
  readonly serviceTiers?: Partial<Record<ServiceTierName, RateSet>>;
  /** Bedrock geographic cross-region profiles (`us.`, `eu.`, `apac.` ...; not `global.`) cost this multiple. */
  readonly regionalMultiplier?: string;
  readonly source?: string;
  /** Which layer the price came from. */
  readonly origin: PriceOrigin;
}

/** `broad`: the generated layer under the curated catalog (`broad.json`, from @pydantic/genai-prices). */
export type PriceOrigin = "override" | "litellm" | "catalog" | "broad";

/** Price input as users and files write it: decimal strings (numbers are accepted and converted). */
export type PriceInput = {
  readonly [K in RateField]?: string | number;
} & {
  readonly effectiveFrom?: string;
  readonly effectiveTo?: string;
  readonly tiers?: readonly ({ readonly aboveTokens: number } & {
    readonly [K in RateField]?: string | number;
  })[];
  readonly batch?: { readonly [K in RateField]?: string | number };
  readonly batchMultiplier?: string | number;
  readonly serviceTiers?: Partial<Record<ServiceTierName, { readonly [K in RateField]?: string | number }>>;
  readonly regionalMultiplier?: string | number;
  readonly source?: string;
};

/** Every version of every key of one layer, plus its aliases. */
export interface PriceTable {
  readonly prices: ReadonlyMap<string, readonly ModelPrice[]>;
  /** The data's own date and version, when the source states them. */
  readonly updated?: string;
  readonly dataVersion?: string;
  /** A LiteLLM table imported with `replace`: its prices win over the catalog's and the broad layer's. */
  readonly replaces?: boolean;
  /** `<provider>/<model>` → pricing key. */
  readonly aliases: ReadonlyMap<string, string>;
}
