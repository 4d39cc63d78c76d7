import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { AccessStore } from "./ports.js";

/** Counters older than this many windows are pruned, every PRUNE_EVERY hits of one process. */
const PRUNE_EVERY = 1000;

/**
 * @fastify/rate-limit's store over the ledger's own database (table token_ledger_rate_limits, migration 0022):
 * every `tokenledger serve` process on one ledger counts into the same rows, so a key's limit holds across them.
 * Fixed windows, like the plugin's in-memory store. Why not Redis: the ledger is the one shared thing the
 * processes already have, and one upsert per request is cheap next to the request's own queries.
 */
export function ledgerRateLimitStore(access: AccessStore): FastifyRateLimitStoreCtor {
  let hits = 0;
  class LedgerRateLimitStore implements FastifyRateLimitStore {
    incr(
      key: string,
      cb: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      const now = Date.now();
      if (++hits % PRUNE_EVERY === 0) void access.pruneRateLimits(now - 2 * timeWindow).catch(() => {});
      access.rateLimitHit(key, timeWindow, now).then(
        (r) => cb(null, { current: r.hits, ttl: Math.max(0, r.windowStart + timeWindow - now) }),
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    }

    // Route-level limits would get their own store; the server sets one global limit, so one store serves all.
    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return LedgerRateLimitStore;
}
