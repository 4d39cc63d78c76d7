/**
 * `tokenledger/failover`: send each LLM call to the first healthy target of a group (OpenAI ↔ Azure OpenAI,
 * Anthropic ↔ Bedrock/Vertex Anthropic), with a breaker per target that opens, probes and recovers by itself.
 * @module
 */
export { failover, groupOf } from "./failover.js";
export { failoverStatus } from "./registry.js";
export { AllTargetsUnavailableError, StreamCutError } from "./errors.js";
export { DEFAULT_POLICY } from "./policy.js";
export type {
  BreakerPolicy,
  BreakerState,
  FailoverGroupOptions,
  FailoverNote,
  FailoverReason,
  FailoverTarget,
  GroupPolicy,
  TargetStatus,
  WireFormat,
} from "./types.js";
export { failoverFromConfig } from "./from-config.js";
export type { FromConfigOptions } from "./from-config.js";
export { failoverConfigSchema } from "./config-schema.js";
export type { FailoverConfig } from "./config-schema.js";
export { shareHealth } from "./shared-health.js";
export type { ProviderHealthRow, ProviderHealthStore, ShareOptions, ShareStats } from "./shared-health.js";
export { failoverColumns } from "./event-columns.js";
