import type { CallOutcome, LlmCall } from "./call.js";
/**
 * A streamed answer the caller never reads is still generated and billed by the provider. This watches such
 * an object (an SDK `Stream`, a raw `Response`) from the moment it reaches the caller until reading starts,
 * and calls `onUnread` exactly once if reading never starts and:
 * - its abort signal fires (`"aborted"`),
 * - the object is garbage-collected (`"released"`),
 * - the process exits first (`"exit"`: our `beforeExit`/`exit` listeners run before the trackers' flush).
 * Nothing here references the watched object, so watching never keeps it alive. With no object (`null`) only
 * the abort signal and the exit are watched (an SDK that reads the body itself, so release is no loss).
 */
export type UnreadReason = "aborted" | "released" | "exit";

export interface UnreadWatch {
  /** Reading started: the stream's own end handling takes over. Idempotent. */
  started(): void;
}

class Pending implements UnreadWatch {
  #settled = false;
  constructor(
    private readonly onUnread: (reason: UnreadReason) => void,
    private readonly detach: () => void,
  ) {}

  settle(reason: UnreadReason | null): void {
    if (this.#settled) return;
    this.#settled = true;
    pending.delete(this);
    this.detach();
    if (pending.size === 0) uninstall();
    if (reason === null) return;
    try {
      this.onUnread(reason);
    } catch {
      /* never reaches the host (the callback reports its own failures) */
    }
  }

  started(): void {
    this.settle(null);
  }
}

const pending = new Set<Pending>();
const registry = new FinalizationRegistry<Pending>((p) => p.settle("released"));
let installed = false;

const atExit = (): void => {
  for (const p of [...pending]) p.settle("exit");
};

function install(): void {
  if (installed) return;
  installed = true;
  // Prepended: the trackers' own listeners (registered earlier) flush after these events are recorded.
  process.prependListener("beforeExit", atExit);
  process.prependListener("exit", atExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("beforeExit", atExit);
  process.off("exit", atExit);
}

export function watchUnread(
  target: object | null,
  signal: AbortSignal | undefined,
  onUnread: (reason: UnreadReason) => void,
): UnreadWatch {
  const token = {};
  let onAbort: (() => void) | undefined;
  const p = new Pending(onUnread, () => {
    registry.unregister(token);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  });
  if (signal?.aborted) {
    p.settle("aborted");
    return p;
  }
  pending.add(p);
  install();
  if (target) registry.register(target, p, token);
  if (signal && typeof signal.addEventListener === "function") {
    onAbort = () => p.settle("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
  }
  return p;
}

/** Calls still watched (tests and diagnostics). */
export function unreadPending(): number {
  return pending.size;
}

/**
 * Finish a call whose stream was never read: aborted → `aborted`; released or exit → `ok` (the provider
 * answered and billed it). Usage `missing`; `metadata.streamUnread` says which. Never throws.
 */
export function endUnread(call: LlmCall, reason: UnreadReason, outcome: CallOutcome = {}): void {
  const tagged: CallOutcome = { ...outcome, metadata: { ...outcome.metadata, streamUnread: reason } };
  if (reason !== "aborted") return call.succeed(tagged);
  const error = new Error("The stream was aborted before it was read");
  error.name = "AbortError";
  call.fail(error, tagged);
}

/** A callback for `watchUnread` built in its own scope, so its closure holds the call, never the stream. */
export function unreadEnder(
  call: LlmCall,
  outcome: () => CallOutcome = () => ({}),
): (reason: UnreadReason) => void {
  return (reason) => endUnread(call, reason, outcome());
}

/** The `signal` of an SDK request-options argument (`create(params, { signal })`), if it is one. */
export function signalOf(options: unknown): AbortSignal | undefined {
  const signal = (options as { signal?: unknown } | null | undefined)?.signal;
  return typeof (signal as { addEventListener?: unknown } | null)?.addEventListener === "function"
    ? (signal as AbortSignal)
    : undefined;
}
