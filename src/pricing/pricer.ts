import { existsSync } from "node:fs";
import { USAGE_KEYS, totalInputTokens, type NormalizedUsage } from "../core/buckets.js";
import { TokenLedgerConfigError } from "../core/errors.js";
import type { Pricer, PriceRequest, PriceResult } from "../core/pricer.js";
import { broadLayer } from "./broad.js";
import { findConfigFile, readConfigPrices } from "./config-prices.js";
import { bundledCatalog } from "./catalog.js";
import { computeCost, computeCostUsd, type CostResult } from "./cost.js";
import {
  defaultLiteLLMCachePath,
  importLiteLLM,
  readLiteLLMCache,
  type LiteLLMImportOptions,
  type LiteLLMImportResult,
} from "./litellm.js";
import { candidateKeys, findPrice, type MatchStep, type PriceLayers } from "./lookup.js";
import { buildOverrides, readOverridesFile, validateOverrides, type OverridesDocument } from "./overrides.js";
import { EMPTY_TABLE } from "./table.js";
import type { ModelPrice, PriceInput, PriceOrigin, PriceTable } from "./types.js";

export interface PricingOptions {
  /** `"<provider>/<model>"` → price in USD per 1M tokens (decimal strings; numbers accepted). Highest priority. */
  readonly overrides?: Readonly<Record<string, PriceInput | readonly PriceInput[]>>;
  /** A JSON or YAML file with `prices`, `aliases`, `azureDeployments`, `bedrockModelMap` (code options win). */
  readonly file?: string;
  /** Azure deployment name → model id or pricing key (`gpt-4o-2024-08-06`, `azure/eu/gpt-4o-2024-08-06`). */
  readonly azureDeployments?: Readonly<Record<string, string>>;
  /** Bedrock model id / application-inference-profile or provisioned ARN → model id or pricing key. */
  readonly bedrockModelMap?: Readonly<Record<string, string>>;
  /** `"<provider>/<model>"` → `"<provider>/<model>"`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /**
   * LiteLLM cache written by `importLiteLLM`. Default: `$XDG_CACHE_HOME/tokenledger/litellm-prices.json` when it
   * exists (a corrupt default cache is ignored and reported in `warnings`); `false` uses the bundled catalog only.
   */
  readonly litellmCachePath?: string | false;
  /**
   * The broad layer generated from @pydantic/genai-prices (`broad.json`), used under the curated catalog for
   * models the catalog lacks. Default true; false prices from the curated catalog only.
   */
  readonly broad?: boolean;
  /**
   * A `tokenledger.config.yaml` whose `prices:` section applies under the code options (`overrides`, `file`).
   * `defaultPricer()` uses the nearest one, found the way the CLI finds it.
   */
  readonly configFile?: string;
}

/** What `prices lookup` shows: the cost split per bucket and which key, version, tier and rules applied. */
export interface CostBreakdown extends CostResult {
  readonly pricingKey: string;
  readonly provider: string;
  readonly model: string;
  readonly origin: PriceOrigin;
  readonly matchedBy: MatchStep;
  /** The candidate key that matched (an alias or map source when it differs from `pricingKey`). */
  readonly matchedKey: string;
  readonly effectiveFrom: string | null;
  readonly effectiveTo: string | null;
  readonly source: string | null;
}

/** A request for `breakdown()` / `costBreakdown()`: missing counts are 0, `at` defaults to now. */
export interface BreakdownRequest {
  readonly provider: string;
  readonly model: string;
  readonly requestedModel?: string | null;
  readonly usage?: Partial<NormalizedUsage>;
  readonly serviceTier?: string | null;
  readonly batch?: boolean;
  readonly at?: Date;
}

export interface TokenLedgerPricer extends Pricer {
  /** Exact cost, or `{ costUsd: null, pricingKey: null }` when unknown or the counts are invalid. Never throws. */
  price(request: PriceRequest): PriceResult;
  /** Cost with its per-bucket breakdown, or null when no price matches. */
  breakdown(request: BreakdownRequest): CostBreakdown | null;
  /** The price in force for a model at `at` (default now), or undefined. */
  lookup(provider: string, model: string, at?: Date): ModelPrice | undefined;
  /** Swap in a LiteLLM table (for example `importLiteLLM(...).table`). Calls in flight keep the previous one. */
  useLiteLLM(table: PriceTable): void;
  /** Import LiteLLM's file from a path or URL, cache it, and use it. Never affects calls in flight. */
  refreshLiteLLM(source: string | URL, options?: LiteLLMImportOptions): Promise<LiteLLMImportResult>;
  /** Setup problems that did not stop the pricer (an unreadable default LiteLLM cache). */
  readonly warnings: readonly string[];
}

const CANDIDATE_CACHE_LIMIT = 5000;

/** A pricer over user overrides → LiteLLM cache → bundled catalog. Bad options throw `TokenLedgerConfigError`. */
export function createPricer(options: PricingOptions = {}): TokenLedgerPricer {
  return buildPricer(options, []);
}

function buildPricer(options: PricingOptions, warnings: string[]): TokenLedgerPricer {
  const docs: { doc: OverridesDocument; where: string }[] = [];
  if (options.configFile !== undefined)
    docs.push({
      doc: validateOverrides(readConfigPrices(options.configFile), `${options.configFile} prices`),
      where: `${options.configFile} prices`,
    });
  if (options.file !== undefined)
    docs.push({ doc: readOverridesFile(options.file), where: `pricing overrides file ${options.file}` });
  const inCode = {
    ...(options.overrides ? { prices: options.overrides } : {}),
    ...(options.aliases ? { aliases: options.aliases } : {}),
    ...(options.azureDeployments ? { azureDeployments: options.azureDeployments } : {}),
    ...(options.bedrockModelMap ? { bedrockModelMap: options.bedrockModelMap } : {}),
  };
  docs.push({ doc: validateOverrides(inCode, "pricing options"), where: "pricing options" });
  const overrides = buildOverrides(docs);

  let litellm: PriceTable = EMPTY_TABLE;
  if (typeof options.litellmCachePath === "string") {
    litellm = readLiteLLMCache(options.litellmCachePath);
  } else if (options.litellmCachePath === undefined) {
    const path = defaultLiteLLMCachePath();
    if (existsSync(path)) {
      try {
        litellm = readLiteLLMCache(path);
      } catch (err) {
        warnings.push(`${(err as Error).message}; using the bundled catalog`);
      }
    }
  }

  const base = {
    overrides: overrides.table,
    catalog: bundledCatalog(),
    broad: options.broad === false ? EMPTY_TABLE : broadLayer(),
    azureDeployments: overrides.azureDeployments,
    bedrockModelMap: overrides.bedrockModelMap,
  };
  let layers: PriceLayers = { ...base, litellm };
  checkMapTargets(layers);
  return new LayeredPricer(
    () => layers,
    (t) => (layers = { ...base, litellm: t }),
    warnings,
  );
}

/** Every map target must name a price somewhere, else the user's map has a typo. */
function checkMapTargets(layers: PriceLayers): void {
  const check = (provider: string, map: ReadonlyMap<string, string>, option: string) => {
    for (const [from, to] of map) {
      const keys = candidateKeys(layers, { provider, model: from, requestedModel: from });
      const known = keys.some(
        (c) =>
          [layers.overrides, layers.litellm, layers.catalog, layers.broad].some((t) => t.prices.has(c.key)) ||
          layers.overrides.aliases.has(c.key) ||
          layers.catalog.aliases.has(c.key) ||
          layers.broad.aliases.has(c.key),
      );
      if (!known)
        throw new TokenLedgerConfigError(
          `${option}["${from}"] points at "${to}", which has no price in the overrides, the LiteLLM cache or the catalog`,
        );
    }
  };
  check("azure", layers.azureDeployments, "azureDeployments");
  check("bedrock", layers.bedrockModelMap, "bedrockModelMap");
}

class LayeredPricer implements TokenLedgerPricer {
  readonly #get: () => PriceLayers;
  readonly #set: (t: PriceTable) => void;
  readonly #candidates = new Map<string, ReturnType<typeof candidateKeys>>();
  readonly warnings: readonly string[];

  constructor(get: () => PriceLayers, set: (t: PriceTable) => void, warnings: string[]) {
    this.#get = get;
    this.#set = set;
    this.warnings = warnings;
  }

  price(request: PriceRequest): PriceResult {
    try {
      if (!validUsage(request.usage)) return UNPRICED;
      const found = this.#match(request.provider, request.model, request.requestedModel, request.at);
      if (!found) return UNPRICED;
      const costUsd = computeCostUsd(found.price, request.usage, withRegion(request, found.regionPrefix));
      return { costUsd, pricingKey: keyOf(found.price) };
    } catch {
      return UNPRICED; // pricing runs at flush time and must never fail the event
    }
  }

  breakdown(request: BreakdownRequest): CostBreakdown | null {
    const usage = completeUsage(request.usage);
    if (!validUsage(usage)) return null;
    const at = request.at ?? new Date();
    const found = this.#match(request.provider, request.model, request.requestedModel ?? null, at);
    if (!found) return null;
    const p = found.price;
    const cost = computeCost(
      p,
      usage,
      withRegion(
        { serviceTier: request.serviceTier ?? null, batch: request.batch === true },
        found.regionPrefix,
      ),
    );
    return {
      ...cost,
      pricingKey: keyOf(p),
      provider: p.provider,
      model: p.model,
      origin: p.origin,
      matchedBy: found.step,
      matchedKey: found.candidate,
      effectiveFrom: p.effectiveFrom ?? null,
      effectiveTo: p.effectiveTo ?? null,
      source: p.source ?? null,
    };
  }

  lookup(provider: string, model: string, at: Date = new Date()): ModelPrice | undefined {
    return this.#match(provider, model, null, at)?.price;
  }

  useLiteLLM(table: PriceTable): void {
    this.#set(table);
  }

  async refreshLiteLLM(source: string | URL, options?: LiteLLMImportOptions): Promise<LiteLLMImportResult> {
    const result = await importLiteLLM(source, options);
    this.#set(result.table);
    return result;
  }

  #match(provider: string, model: string, requestedModel: string | null, at: Date) {
    const layers = this.#get();
    const cacheKey = `${provider}\u0000${model}\u0000${requestedModel ?? ""}`;
    let candidates = this.#candidates.get(cacheKey);
    if (!candidates) {
      candidates = candidateKeys(layers, { provider, model, requestedModel });
      if (this.#candidates.size >= CANDIDATE_CACHE_LIMIT) this.#candidates.clear();
      this.#candidates.set(cacheKey, candidates);
    }
    return findPrice(layers, { provider, model, requestedModel, at }, candidates);
  }
}

const UNPRICED: PriceResult = Object.freeze({ costUsd: null, pricingKey: null });

/** Catalog prices record their bare key; other layers say where the price came from. */
function keyOf(p: ModelPrice): string {
  return p.origin === "catalog" ? p.key : `${p.origin}:${p.key}`;
}

function withRegion(req: { serviceTier: string | null; batch: boolean }, regionPrefix: string | undefined) {
  return regionPrefix
    ? { serviceTier: req.serviceTier, batch: req.batch, regionPrefix }
    : { serviceTier: req.serviceTier, batch: req.batch };
}

function validUsage(u: NormalizedUsage): boolean {
  for (const f of USAGE_KEYS) {
    const v = u[f];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) return false;
  }
  return true;
}

function completeUsage(u: Partial<NormalizedUsage> | undefined): NormalizedUsage {
  const out = Object.fromEntries(USAGE_KEYS.map((f) => [f, u?.[f] ?? 0])) as unknown as Record<
    (typeof USAGE_KEYS)[number],
    number
  >;
  if (!out.tierBasisTokens) out.tierBasisTokens = totalInputTokens(out as unknown as NormalizedUsage);
  return out as unknown as NormalizedUsage;
}

let shared: TokenLedgerPricer | undefined;

/**
 * The tracker's default, shared: the bundled catalog under the LiteLLM cache that `tokenledger prices import`
 * writes (default path, read once on first use; a corrupt cache is ignored and listed in `warnings`).
 */
export function defaultPricer(): TokenLedgerPricer {
  shared ??= configuredPricer();
  return shared;
}

/**
 * The catalog under the nearest `tokenledger.config.yaml` prices (one price configuration for the SDK and the
 * CLI). A config file whose prices cannot be used is reported in `warnings`, never thrown at the host.
 */
export function configuredPricer(cwd?: string, env?: NodeJS.ProcessEnv): TokenLedgerPricer {
  let configFile: string | null = null;
  try {
    configFile = findConfigFile(cwd, env);
    if (configFile) return buildPricer({ configFile }, []);
  } catch (err) {
    return buildPricer({}, [`${(err as Error).message}; its prices are not used`]);
  }
  return buildPricer({}, []);
}

/** Cost breakdown of one request with the given pricer (default: the bundled catalog). */
export function costBreakdown(
  request: BreakdownRequest,
  pricer: TokenLedgerPricer = defaultPricer(),
): CostBreakdown | null {
  return pricer.breakdown(request);
}
