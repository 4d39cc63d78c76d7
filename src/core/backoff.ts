/**
 * Retry spacing after a failed storage write. Exponential so a down database is not hammered, capped so
 * recovery is noticed within `maxMs`, and jittered so many processes that failed together do not retry in
 * lockstep against the same database.
 */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly factor: number;
  readonly maxMs: number;
  readonly jitter: number;
}

// 0.5 s, 1 s, 2 s … 30 s: a restart of the database (tens of seconds) is ridden out without log noise.
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, factor: 2, maxMs: 30_000, jitter: 0.2 };

/** Delay before retry `attempt` (1-based): base·factor^(n-1), capped, ±jitter. */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const raw = Math.min(policy.maxMs, policy.baseMs * policy.factor ** Math.max(0, attempt - 1));
  const spread = raw * policy.jitter;
  return Math.max(0, Math.round(raw - spread + random() * 2 * spread));
}
