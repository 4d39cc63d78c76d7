/** Pricing: bundled catalog, lookup, exact decimal cost, overrides and LiteLLM import. */
export { createPricer, defaultPricer, costBreakdown } from "./pricer.js";
export type { PricingOptions, TokenLedgerPricer, CostBreakdown, BreakdownRequest } from "./pricer.js";
export { computeCost, serviceTierName } from "./cost.js";
export type { CostResult, CostOptions, BucketCost, BucketName } from "./cost.js";
export { importLiteLLM, convertLiteLLM, defaultLiteLLMCachePath } from "./litellm.js";
export type { LiteLLMImportOptions, LiteLLMImportResult, LiteLLMRepair } from "./litellm.js";
export { parseCatalog, bundledCatalog } from "./catalog.js";
export { formatUsd, COST_DECIMALS } from "./decimal.js";
export type { MatchStep } from "./lookup.js";
export type { OverridesDocument } from "./overrides.js";
export type {
  ModelPrice,
  PriceInput,
  PriceTier,
  RateSet,
  PriceTable,
  PriceOrigin,
  ServiceTierName,
} from "./types.js";
