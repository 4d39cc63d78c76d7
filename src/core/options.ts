import { z } from "zod";
import { TokenLedgerConfigError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Pricer } from "./pricer.js";
import type { PricingOptions } from "../pricing/pricer.js";
import type { StorageAdapter } from "./storage.js";
import type { Attribution } from "./attribution.js";

export type StorageOption = StorageAdapter | (() => Promise<StorageAdapter>) | string;

export interface TrackerOptions {
  /**
   * A storage adapter, a lazy factory, or a database URL / SQLite path. Default: `TOKENLEDGER_DATABASE_URL`,
   * then `DATABASE_URL`, then SQLite at `$XDG_DATA_HOME/tokenledger/ledger.db`.
   */
  readonly storage?: StorageOption;
  /**
   * Close the storage adapter in `shutdown()`. Default true, also for an adapter you passed in. Set false when
   * you share the adapter (or the one your factory returns) with other code and close it yourself. Refused
   * with a URL or the environment default: the tracker opened that connection and nothing else can close it.
   */
  readonly closeStorage?: boolean;
  /** Price source. Default: the bundled catalog, configured by `pricing`. */
  readonly pricer?: Pricer;
  /** Price overrides, Azure deployment and Bedrock ARN maps, aliases (ignored when `pricer` is given). */
  readonly pricing?: PricingOptions;
  /** Events held in memory at most; newer events are dropped (and counted) when full. Default 2048. */
  readonly maxQueueSize?: number;
  /** Events per storage write; clamped to `maxQueueSize`. Default 100. */
  readonly maxBatchSize?: number;
  /** Background flush period. Default 2000 ms. */
  readonly flushIntervalMs?: number;
  /** A storage write slower than this counts as failed and is retried. Default 10000 ms. */
  readonly storageTimeoutMs?: number;
  /** Backoff after a failed write: base, factor, cap, jitter fraction. */
  readonly retry?: {
    readonly baseMs?: number;
    readonly factor?: number;
    readonly maxMs?: number;
    readonly jitter?: number;
  };
  /** Give up on an event after retrying this long (counted as `retry_exhausted`). Default: never; the queue bounds memory. */
  readonly maxRetryDurationMs?: number;
  /** Default deadline for `shutdown()`. Default 5000 ms. */
  readonly shutdownTimeoutMs?: number;
  /** Default deadline for `flush()`. Default 30000 ms. */
  readonly flushTimeoutMs?: number;
  /** Fraction of calls kept, in (0, 1]. Each kept event carries weight 1/sampleRate. Default 1. */
  readonly sampleRate?: number;
  /** Flush on `beforeExit`, and write synchronously on `exit` with SQLite. Default true. */
  readonly autoFlushOnExit?: boolean;
  /** Flush on SIGTERM/SIGINT, then re-raise the signal. Default false (libraries should not own signals). */
  readonly handleSignals?: boolean;
  /** Serverless: hand the platform a promise that settles when recorded events are stored. */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
  /** Applied under every context. */
  readonly app?: string;
  readonly environment?: string;
  readonly defaultMetadata?: Readonly<Record<string, unknown>>;
  /** Metadata larger than this (JSON bytes) drops the event as `too_large`. Default 8192. */
  readonly maxMetadataBytes?: number;
  /** Where tokenledger logs its own problems; `false` silences it. */
  readonly logger?: Logger | false;
  /** Called for every internal failure (never for the host's own errors). */
  readonly onError?: (error: unknown, stage: string) => void;
  /** Called with each event recorded after shutdown (it is not stored). */
  readonly afterShutdown?: (attributionFree: { provider: string; model: string | null | undefined }) => void;
  /** Extra attribution defaults (merged under the active context). */
  readonly defaults?: Attribution;
}

const positiveInt = (name: string) =>
  z
    .number({ error: `must be a number` })
    .int(`must be a whole number`)
    .positive(`must be at least 1`)
    .describe(name);
const fn = (message = "must be a function") =>
  z.custom<unknown>((v) => typeof v === "function", { error: message });
const nonNegative = z
  .number({ error: "must be a number" })
  .nonnegative("must not be negative")
  .finite("must be finite");

/**
 * Keys of `PricingOptions` (src/pricing/pricer.ts); a typo such as `overides` is refused, not ignored.
 * A record rather than a list, so a new pricing option that is not added here is a type error.
 */
const PRICING_OPTION_KEY_SET: Record<keyof PricingOptions, true> = {
  overrides: true,
  file: true,
  azureDeployments: true,
  bedrockModelMap: true,
  aliases: true,
  litellmCachePath: true,
  broad: true,
  configFile: true,
};
const PRICING_OPTION_KEYS: readonly string[] = Object.keys(PRICING_OPTION_KEY_SET);

const schema = z
  .object({
    storage: z
      .union(
        [
          z.string().trim().min(1, "must not be empty or blank"),
          fn(),
          z.object({ insertBatch: fn() }).loose(),
        ],
        {
          error: "must be a StorageAdapter, a factory returning one, or a database URL / SQLite path",
        },
      )
      .optional(),
    closeStorage: z.boolean({ error: "must be true or false" }).optional(),
    pricer: z.object({ price: fn() }, { error: "must have a price(request) method" }).loose().optional(),
    pricing: z
      .record(z.string(), z.unknown(), {
        error: "must be an object of pricing options (overrides, file, ...)",
      })
      .superRefine((value, ctx) => {
        const unknown = Object.keys(value).filter((k) => !PRICING_OPTION_KEYS.includes(k));
        if (unknown.length > 0)
          ctx.addIssue({
            code: "custom",
            message: `has unknown key ${unknown.map((k) => `"${k}"`).join(", ")} (accepted: ${PRICING_OPTION_KEYS.join(", ")})`,
          });
      })
      .optional(),
    maxQueueSize: positiveInt("maxQueueSize").optional(),
    maxBatchSize: positiveInt("maxBatchSize").optional(),
    flushIntervalMs: positiveInt("flushIntervalMs").optional(),
    storageTimeoutMs: positiveInt("storageTimeoutMs").optional(),
    retry: z
      .object({
        baseMs: positiveInt("retry.baseMs").optional(),
        factor: z.number().min(1, "must be at least 1").optional(),
        maxMs: positiveInt("retry.maxMs").optional(),
        jitter: z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1").optional(),
      })
      .strict()
      .optional(),
    maxRetryDurationMs: positiveInt("maxRetryDurationMs").optional(),
    shutdownTimeoutMs: nonNegative.optional(),
    flushTimeoutMs: nonNegative.optional(),
    sampleRate: z
      .number({ error: "must be a number" })
      .gt(0, "must be greater than 0")
      .max(1, "must be at most 1")
      .optional(),
    autoFlushOnExit: z.boolean({ error: "must be true or false" }).optional(),
    handleSignals: z.boolean({ error: "must be true or false" }).optional(),
    waitUntil: fn().optional(),
    app: z.string({ error: "must be a string" }).max(256).optional(),
    environment: z.string({ error: "must be a string" }).max(256).optional(),
    defaultMetadata: z.record(z.string(), z.unknown(), { error: "must be a plain object" }).optional(),
    maxMetadataBytes: positiveInt("maxMetadataBytes").optional(),
    logger: z
      .union([z.literal(false), z.object({ warn: fn(), error: fn() }).loose()], {
        error: "must be false or an object with warn() and error()",
      })
      .optional(),
    onError: fn().optional(),
    afterShutdown: fn().optional(),
    defaults: z.record(z.string(), z.unknown(), { error: "must be a plain object" }).optional(),
  })
  .strict();

/** Validate tracker options, throwing a `TokenLedgerConfigError` that names the option and the reason. */
export function validateTrackerOptions(options: unknown): TrackerOptions {
  if (options === undefined) return {};
  const result = schema.safeParse(options);
  if (result.success) return options as TrackerOptions;
  const messages = result.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return `unknown option ${issue.keys.map((k) => `"${k}"`).join(", ")} (check the spelling; see TrackerOptions)`;
    }
    const path = issue.path.join(".") || "options";
    return `option "${path}" ${issue.message}`;
  });
  throw new TokenLedgerConfigError(`Invalid tokenledger options: ${messages.join("; ")}`);
}
