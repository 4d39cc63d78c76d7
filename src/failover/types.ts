import type { UsageEventInput } from "tokenledger";
import type { ShareOptions } from "./shared-health.js";

/** Public shapes of `tokenledger/failover`: targets, groups, thresholds and what a switch records. */

/** The request/response format a target speaks. Failover only moves a call between targets of one format. */
export type WireFormat = "openai" | "anthropic";

/** Why a call moved on from a target (or, for the target that answered, why the previous one was skipped). */
export type FailoverReason =
  | "connection_error"
  | "first_byte_timeout"
  | "rate_limited"
  | "overloaded"
  | "server_error"
  | "http_status"
  | "breaker_open"
  | "stream_cut";

export type BreakerState = "closed" | "open" | "half-open";

/** One place a call can go, in order of preference within its group. */
export interface FailoverTarget<C extends object = object> {
  /** `openai`, `azure`, `openai-compatible`, `anthropic`, `bedrock-anthropic`, `vertex-anthropic`, ... */
  readonly provider: string;
  /** Model (or Azure deployment, Bedrock model id) sent to this target; default: the caller's `model`. */
  readonly model?: string;
  /** A configured SDK client (`OpenAI`, `AzureOpenAI`, `Anthropic`, `AnthropicBedrock`, `AnthropicVertex`). */
  readonly client: C;
  /** Label in events and `failover status`; default `provider:model` or `provider`. */
  readonly name?: string;
}

/** When a target's breaker opens, and for how long. Every field has a default (see `DEFAULT_POLICY`). */
export interface BreakerPolicy {
  /** Open when the error rate over the window exceeds this fraction... (default 0.05) */
  readonly errorRate: number;
  /** ...with at least this many requests in the window (default 20). */
  readonly minRequests: number;
  /** Window length for the rate and latency rules, ms (default 60 000, 12 buckets). */
  readonly windowMs: number;
  /** Open after this many failures in a row (connection errors, timeouts, 5xx, cut streams; default 3). */
  readonly consecutiveFailures: number;
  /** Open when p95 time to first byte exceeds this, ms... (default 5 000) */
  readonly slowFirstByteMs: number;
  /** ...over at least this many samples (default 10). */
  readonly minLatencySamples: number;
  /** First cooldown, ms (default 30 000); doubles on each failed probe... */
  readonly cooldownMs: number;
  /** ...up to this, ms (default 300 000). */
  readonly maxCooldownMs: number;
}

export interface GroupPolicy extends BreakerPolicy {
  /** Abort an attempt that has no headers (or, for streams, no first byte) after this long, ms (default 5 000). */
  readonly firstByteTimeoutMs: number;
  /** Extra HTTP statuses that fail over (400, 401, 403, 404 and 422 never do unless listed here). */
  readonly failoverOnStatuses: readonly number[];
  /**
   * When every target is open: `fail-fast` (default) sends one probe per cooldown to the target whose cooldown
   * ends soonest and fails the other calls with `AllTargetsUnavailableError`; `degraded` sends every call there.
   */
  readonly whenAllOpen: "fail-fast" | "degraded";
}

export interface FailoverGroupOptions<C extends object = object> {
  /** Group name, shown in events and `failover status`. */
  readonly name: string;
  /** Targets in order of preference; at least one. All must speak the same wire format. */
  readonly targets: readonly FailoverTarget<C>[];
  readonly policy?: Partial<GroupPolicy>;
  /**
   * Where events for failed attempts go; default: the tracker started by `track()`. The attempt that
   * answers is recorded by the SDK interceptor as usual, with `metadata.failover` added.
   */
  readonly record?: (event: UsageEventInput) => void;
  /**
   * Share breaker transitions with sibling processes through a store (the SQL storages' `providerHealth`), so
   * they skip a target another process found dead within a second. Off by default; each process still decides.
   */
  readonly share?: ShareOptions;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/** What each recorded attempt carries under `metadata.failover`. */
export interface FailoverNote {
  readonly group: string;
  /** The first target of the group (what the caller asked for). */
  readonly requestedTarget: string;
  /** The target this attempt went to. */
  readonly effectiveTarget: string;
  /** 1-based attempt number within the call. */
  readonly attempt: number;
  /** Why the call is not on its first target (absent on a first-target attempt). */
  readonly reason?: FailoverReason;
  /** All targets were open; this call went to the one whose cooldown ends soonest. */
  readonly degraded?: boolean;
}

/** A target's health as `failover status` shows it. */
export interface TargetStatus {
  readonly group: string;
  readonly target: string;
  readonly provider: string;
  readonly state: BreakerState;
  /** When an open breaker lets its next probe through (epoch ms), or null. */
  readonly retryAt: number | null;
  readonly lastReason: FailoverReason | null;
  readonly requests: number;
  readonly errors: number;
  readonly p95FirstByteMs: number | null;
  readonly consecutiveFailures: number;
  /** Times this target was skipped or left for the next one since the process started. */
  readonly switches: number;
}
