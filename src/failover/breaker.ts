import { HealthWindow } from "./health-window.js";
import type { BreakerPolicy, BreakerState, FailoverReason } from "./types.js";

/** What the breaker allows for the next call. */
export type Admission = "pass" | "probe" | "reject";

/**
 * Closed → open → half-open breaker for one target, fed by the health window. Opens on: error rate over
 * `errorRate` with at least `minRequests` in the window; `consecutiveFailures` failures in a row; a 429 (for its
 * `Retry-After`); p95 first byte over `slowFirstByteMs` with at least `minLatencySamples` samples. A group with
 * one target opens like any other. After the cooldown, exactly one call goes through as the probe; its first
 * byte closes the breaker, its failure reopens it with the cooldown doubled (up to `maxCooldownMs`).
 */
export class TargetBreaker {
  readonly #policy: BreakerPolicy;
  readonly window: HealthWindow;
  #state: BreakerState = "closed";
  #openUntil = 0;
  #reopenings = 0;
  #consecutive = 0;
  #probeOut = false;
  #lastReason: FailoverReason | null = null;
  #changedAt = Number.NEGATIVE_INFINITY;
  /** Told of each open and close (not half-open: a probe is this process's own business); shares them. */
  onTransition: ((state: "open" | "closed", openUntil: number | null, now: number) => void) | null = null;

  constructor(policy: BreakerPolicy) {
    this.#policy = policy;
    this.window = new HealthWindow(policy.windowMs);
  }

  get state(): BreakerState {
    return this.#state;
  }
  get openUntil(): number | null {
    return this.#state === "closed" ? null : this.#openUntil;
  }
  get consecutiveFailures(): number {
    return this.#consecutive;
  }
  get lastReason(): FailoverReason | null {
    return this.#lastReason;
  }

  admit(now: number): Admission {
    if (this.#state === "closed") return "pass";
    if (this.#probeOut || now < this.#openUntil) return "reject";
    this.#state = "half-open";
    this.#probeOut = true;
    return "probe";
  }

  /** Headers (or a stream's first byte) arrived: a probe that gets this far closes the breaker. */
  firstByte(now: number, ms: number): void {
    this.window.firstByte(now, ms);
    if (this.#state === "half-open") this.#close(now);
    else this.#checkLatency(now);
  }

  /** The call finished without a target fault (a 4xx that is the caller's, too). */
  success(now: number): void {
    this.window.ok(now);
    this.#consecutive = 0;
    if (this.#state === "half-open") this.#close(now);
  }

  /** A probe that ended without a verdict (the caller aborted): the next call may probe at once. */
  release(): void {
    if (this.#state === "half-open" && this.#probeOut) {
      this.#probeOut = false;
      this.#state = "open";
    }
  }

  failure(now: number, reason: FailoverReason, retryAfterMs: number | null): void {
    this.window.err(now);
    this.#consecutive += 1;
    this.#lastReason = reason;
    if (this.#state === "half-open") {
      this.#reopenings += 1;
      return this.#open(now, retryAfterMs);
    }
    if (this.#state === "open") return;
    if (reason === "rate_limited" || this.#consecutive >= this.#policy.consecutiveFailures) {
      return this.#open(now, retryAfterMs);
    }
    const { requests, errors } = this.window.counts(now);
    if (requests >= this.#policy.minRequests && errors / requests > this.#policy.errorRate) {
      this.#open(now, retryAfterMs);
    }
  }

  /**
   * A sibling process's transition (`updatedMs`), applied only when newer than this breaker's own last one:
   * a remote open opens a closed breaker until `untilMs` (no failure is counted here); a remote close lets an
   * open breaker probe at once rather than wait out its cooldown. This process still decides from its own calls.
   */
  adopt(
    state: BreakerState,
    untilMs: number | null,
    reason: string | null,
    updatedMs: number,
    now: number,
  ): boolean {
    if (updatedMs <= this.#changedAt) return false;
    if (state === "open" && untilMs !== null && untilMs > now && this.#state === "closed") {
      this.#state = "open";
      this.#openUntil = untilMs;
      this.#probeOut = false;
      this.#lastReason = (reason as FailoverReason | null) ?? this.#lastReason;
      this.#changedAt = updatedMs;
      return true;
    }
    if (state === "closed" && this.#state === "open" && this.#openUntil > now) {
      this.#openUntil = now;
      this.#changedAt = updatedMs;
      return true;
    }
    return false;
  }

  #checkLatency(now: number): void {
    if (this.#state !== "closed") return;
    const { p95, samples } = this.window.p95FirstByte(now);
    if (p95 !== null && samples >= this.#policy.minLatencySamples && p95 > this.#policy.slowFirstByteMs) {
      this.#lastReason = "first_byte_timeout";
      this.#open(now, null);
    }
  }

  #open(now: number, retryAfterMs: number | null): void {
    const cooldown = Math.min(this.#policy.maxCooldownMs, this.#policy.cooldownMs * 2 ** this.#reopenings);
    this.#state = "open";
    this.#probeOut = false;
    this.#openUntil = now + (retryAfterMs !== null ? retryAfterMs : cooldown);
    this.#changedAt = now;
    this.onTransition?.("open", this.#openUntil, now);
  }

  #close(now: number): void {
    this.#state = "closed";
    this.#probeOut = false;
    this.#reopenings = 0;
    this.#consecutive = 0;
    this.#changedAt = now;
    this.onTransition?.("closed", null, now);
  }
}
