import { DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import { resolveDatabaseTarget, type DatabaseTarget } from "./database-url.js";
import { TokenLedgerConfigError } from "./errors.js";
import type { BuildConfig } from "./event-builder.js";
import type { SafeLogger } from "./logger.js";
import type { TrackerOptions } from "./options.js";
import { resolvePricer } from "./pricer-resolution.js";
import type { StorageAdapter } from "./storage.js";

/** The tracker's settings after defaults, clamping and setup-time validation. */
export interface TrackerConfig {
  readonly maxQueue: number;
  readonly maxBatch: number;
  readonly backoff: BackoffPolicy;
  readonly sampleRate: number;
  readonly storage: StorageAdapter | (() => Promise<StorageAdapter>) | DatabaseTarget;
  /** Close the adapter on shutdown(); false only for an adapter or factory the host passed (it owns it). */
  readonly closeStorage: boolean;
  readonly build: BuildConfig;
}

/** What event building reports back to the tracker (counters and logging live there). */
export interface BuildHooks {
  readonly onPricingError: (err: unknown) => void;
  readonly onAnomaly: (message: string) => void;
}

/**
 * Turn validated options into the tracker's settings. Everything that can be wrong with the setup fails here,
 * in the constructor, never later on the caller's path: a bad URL, a corrupt price overrides file.
 */
export function trackerConfig(o: TrackerOptions, log: SafeLogger, hooks: BuildHooks): TrackerConfig {
  const maxQueue = o.maxQueueSize ?? 2048;
  let maxBatch = o.maxBatchSize ?? 100;
  if (maxBatch > maxQueue) {
    // Clamped with a warning rather than refused, as OpenTelemetry's batch processor does.
    log.warn(`maxBatchSize ${maxBatch} is larger than maxQueueSize ${maxQueue}; using ${maxQueue}`);
    maxBatch = maxQueue;
  }
  return {
    closeStorage: closeStorageOption(o),
    maxQueue,
    maxBatch,
    backoff: { ...DEFAULT_BACKOFF, ...o.retry },
    sampleRate: o.sampleRate ?? 1,
    // Resolve (and so validate) a URL or the environment now: a bad URL is a setup-time error.
    storage:
      typeof o.storage === "function" || typeof o.storage === "object"
        ? o.storage
        : resolveDatabaseTarget(o.storage),
    build: buildConfig(o, log, hooks),
  };
}

function closeStorageOption(o: TrackerOptions): boolean {
  if (o.closeStorage !== false) return true;
  if (typeof o.storage === "function" || typeof o.storage === "object") return false;
  throw new TokenLedgerConfigError(
    'Invalid tokenledger options: option "closeStorage" false needs "storage" to be a StorageAdapter or a factory; ' +
      "with a URL or the environment default the tracker opens the connection itself, and only shutdown() can close it",
  );
}

function buildConfig(o: TrackerOptions, log: SafeLogger, hooks: BuildHooks): BuildConfig {
  return {
    // Pricing options are validated here, at construction: a corrupt overrides file is a setup error.
    pricer: resolvePricer(o),
    defaults: {
      ...o.defaults,
      ...(o.app ? { app: o.app } : {}),
      ...(o.environment ? { environment: o.environment } : {}),
      ...(o.defaultMetadata ? { metadata: { ...o.defaults?.metadata, ...o.defaultMetadata } } : {}),
    },
    maxMetadataBytes: o.maxMetadataBytes ?? 8192,
    // Once per model: a busy app calling an unpriced model would otherwise flood the log.
    onUnpriced: (provider, model) =>
      log.warnOnce(
        `unpriced:${provider}/${model}`,
        `no price for ${provider} model "${model}": its events are stored with cost null and flagged unpriced. ` +
          `Add a price with the \`pricing: { overrides }\` option (or \`pricing.file\`) or \`tokenledger prices import\`.`,
      ),
    onPricingError: hooks.onPricingError,
    onAnomaly: hooks.onAnomaly,
  };
}
