import { TargetBreaker, type Admission } from "./breaker.js";
import { classify, type Verdict } from "./classify.js";
import { AllTargetsUnavailableError } from "./errors.js";
import type { ShareStats } from "./shared-health.js";
import type {
  FailoverNote,
  FailoverReason,
  FailoverTarget,
  GroupPolicy,
  TargetStatus,
  WireFormat,
} from "./types.js";

/** One target at run time: its spec, breaker and switch count. */
export interface LiveTarget {
  readonly name: string;
  readonly spec: FailoverTarget;
  readonly breaker: TargetBreaker;
  switches: number;
}

/** Handed to each attempt: where to send, the signal that carries the first-byte timeout, and the verdict sinks. */
export interface AttemptContext {
  readonly target: LiveTarget;
  readonly note: FailoverNote;
  readonly signal: AbortSignal;
  /** Call when headers (non-stream) or the first stream byte arrived; stops the first-byte timer. */
  firstByte(): void;
}

/** What an attempt resolves with; `settled` is false for a stream whose outcome comes later via `settle`. */
export interface AttemptResult<R> {
  readonly value: R;
  readonly settled: boolean;
}

export interface RunHooks {
  /** An attempt failed and the call moved on to another target. */
  failedOver(f: FailedAttempt): void;
  /** The attempt whose answer or error reaches the caller. */
  answered(note: FailoverNote, target: LiveTarget): void;
}

export interface FailedAttempt {
  readonly target: LiveTarget;
  readonly note: FailoverNote;
  readonly error: unknown;
  readonly verdict: Verdict;
  readonly latencyMs: number;
}

/**
 * A named, ordered set of targets with a breaker each. `run` walks the targets in order, skips open ones
 * (without contacting them), aborts an attempt with no first byte in time, and moves on for failover-class
 * errors only. The routing decision is a few field reads per target.
 */
export class FailoverGroup {
  readonly targets: readonly LiveTarget[];
  /** Counters of the `share` side channel, when on. */
  shared: ShareStats | null = null;

  constructor(
    readonly name: string,
    readonly format: WireFormat,
    targets: readonly FailoverTarget[],
    readonly policy: GroupPolicy,
    readonly now: () => number = Date.now,
  ) {
    this.targets = targets.map((spec) => ({
      name: spec.name ?? (spec.model ? `${spec.provider}:${spec.model}` : spec.provider),
      spec,
      breaker: new TargetBreaker(policy),
      switches: 0,
    }));
  }

  /**
   * Runs one call. `attempt` sends to a target and resolves once the first byte is in (calling `ctx.firstByte`).
   * Returns the value; throws the last target's own error when every tried target
   * failed, or `AllTargetsUnavailableError` when none could be tried.
   */
  async run<R>(
    attempt: (ctx: AttemptContext) => Promise<AttemptResult<R>>,
    callerSignal: AbortSignal | null | undefined,
    hooks: RunHooks,
  ): Promise<R> {
    const requested = (this.targets[0] as LiveTarget).name;
    let reason: FailoverReason | undefined;
    let failed: FailedAttempt | undefined;
    let tried = false;
    let n = 0;
    let degraded = false;
    const order = this.#order();
    for (let i = 0; i < order.length; i++) {
      const target = order[i] as LiveTarget;
      const last = !tried && i === order.length - 1;
      const admission = this.#admit(target, last);
      if (admission === "degraded") {
        degraded = this.targets.every((t) => t.breaker.state !== "closed");
        reason ??= "breaker_open";
      }
      if (admission === "reject") {
        target.switches += 1;
        reason ??= "breaker_open";
        continue;
      }
      tried = true;
      n += 1;
      const note: FailoverNote = {
        group: this.name,
        requestedTarget: requested,
        effectiveTarget: target.name,
        attempt: n,
        ...(reason ? { reason } : {}),
        ...(degraded ? { degraded: true } : {}),
      };
      // Recorded only now that the call moved on: the last failure is recorded by the SDK interceptor instead.
      if (failed) hooks.failedOver(failed);
      failed = undefined;
      const out = await this.#attempt(target, note, admission, attempt, callerSignal);
      if (out.ok) {
        hooks.answered(note, target);
        return out.value;
      }
      failed = { target, note, error: out.error, verdict: out.verdict, latencyMs: out.latencyMs };
      if (out.verdict.kind !== "failover") break;
      target.switches += 1;
      reason = out.verdict.reason;
    }
    if (failed) {
      // The last error reaches the caller, so the SDK interceptor records it; it carries this attempt's note.
      hooks.answered(failed.note, failed.target);
      throw failed.error;
    }
    const now = this.now();
    const retryAt = Math.min(...this.targets.map((t) => t.breaker.openUntil ?? now));
    throw new AllTargetsUnavailableError(this.name, retryAt, now);
  }

  /**
   * The breaker's answer, except in `degraded` mode for the last target when nothing was tried: that call goes
   * through anyway (flagged), because the user prefers trying a cooling target to failing fast.
   */
  #admit(target: LiveTarget, lastUntried: boolean): Admission | "degraded" {
    const admission = target.breaker.admit(this.now());
    if (admission === "reject" && lastUntried && this.policy.whenAllOpen === "degraded") return "degraded";
    return admission;
  }

  /**
   * Targets in preference order. When all are open, the one whose cooldown ends soonest goes last, so that in
   * `degraded` mode it is the one that takes the call.
   */
  #order(): readonly LiveTarget[] {
    if (this.targets.some((t) => t.breaker.state === "closed")) return this.targets;
    const soonest = this.targets.reduce((a, b) =>
      (b.breaker.openUntil ?? 0) < (a.breaker.openUntil ?? 0) ? b : a,
    );
    return [...this.targets.filter((t) => t !== soonest), soonest];
  }

  async #attempt<R>(
    target: LiveTarget,
    note: FailoverNote,
    admission: Admission | "degraded",
    attempt: (ctx: AttemptContext) => Promise<AttemptResult<R>>,
    callerSignal: AbortSignal | null | undefined,
  ): Promise<{ ok: true; value: R } | { ok: false; error: unknown; verdict: Verdict; latencyMs: number }> {
    const breaker = target.breaker;
    const controller = new AbortController();
    const t0 = performance.now();
    let timedOut = false;
    let gotFirstByte = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no first byte within ${this.policy.firstByteTimeoutMs} ms`));
    }, this.policy.firstByteTimeoutMs);
    const forward = (): void => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) forward();
    else callerSignal?.addEventListener("abort", forward, { once: true });
    const ctx: AttemptContext = {
      target,
      note,
      signal: controller.signal,
      firstByte: () => {
        if (gotFirstByte) return;
        gotFirstByte = true;
        clearTimeout(timer);
        breaker.firstByte(this.now(), performance.now() - t0);
      },
    };
    try {
      const r = await attempt(ctx);
      ctx.firstByte();
      if (r.settled) {
        breaker.success(this.now());
        callerSignal?.removeEventListener("abort", forward);
      }
      return { ok: true, value: r.value };
    } catch (error) {
      clearTimeout(timer);
      callerSignal?.removeEventListener("abort", forward);
      const verdict = classify(
        error,
        this.policy.failoverOnStatuses,
        timedOut && !gotFirstByte,
        callerSignal?.aborted === true,
        Date.now(),
      );
      if (verdict.kind === "failover") breaker.failure(this.now(), verdict.reason, verdict.retryAfterMs);
      else if (verdict.kind === "final") breaker.success(this.now());
      else if (admission === "probe") breaker.release();
      return { ok: false, error, verdict, latencyMs: performance.now() - t0 };
    }
  }

  /** A stream that started on `target` ended: complete, cut (a breaker failure) or cancelled by the reader. */
  settle(target: LiveTarget, end: "complete" | "cut" | "cancelled"): void {
    const now = this.now();
    if (end === "cut") target.breaker.failure(now, "stream_cut", null);
    else target.breaker.success(now);
  }

  status(): TargetStatus[] {
    const now = this.now();
    return this.targets.map((t) => {
      const { requests, errors } = t.breaker.window.counts(now);
      return {
        group: this.name,
        target: t.name,
        provider: t.spec.provider,
        state: t.breaker.state,
        retryAt: t.breaker.openUntil,
        lastReason: t.breaker.lastReason,
        requests,
        errors,
        p95FirstByteMs: t.breaker.window.p95FirstByte(now).p95,
        consecutiveFailures: t.breaker.consecutiveFailures,
        switches: t.switches,
      };
    });
  }
}
