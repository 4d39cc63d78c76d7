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
    if (this.#state === "half-open") this.#close();
    else this.#checkLatency(now);
  }

  /** The call finished without a target fault (a 4xx that is the caller's, too). */
  success(now: number): void {
    this.window.ok(now);
    this.#consecutive = 0;
    if (this.#state === "half-open") this.#close();
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
  }

  #close(): void {
    this.#state = "closed";
    this.#probeOut = false;
    this.#reopenings = 0;
    this.#consecutive = 0;
  }
}
