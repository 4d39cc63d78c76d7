import { reportSafely } from "../_shared/guard.js";
import { HIDE, tapAsyncIterator, type TapHooks } from "../_shared/stream-tap.js";
import { ChunkStreamState } from "./chunk-stream.js";
import { toOutcome, type CallPlan } from "./plan.js";
import { ResponseEventsState } from "./response-events.js";
import { endUnread, watchUnread, type UnreadReason } from "../_shared/unread.js";

interface StreamLike {
  iterator?: unknown;
  controller?: { signal?: AbortSignal };
}

type IteratorFactory = (this: unknown, ...args: unknown[]) => AsyncIterator<unknown>;

/**
 * Observe an SDK `Stream` in place: the caller keeps the same object (`tee()`, `toReadableStream()`,
 * `controller` all work) because we wrap its `iterator` method, which every consumer path calls.
 * The call is recorded exactly once: completed, `break`, abort or error.
 */
export function instrumentStream(stream: unknown, plan: CallPlan, requestId: string | null): void {
  const s = stream as StreamLike | null;
  if (!s || typeof s !== "object" || typeof s.iterator !== "function") {
    plan.sink.reportAnomaly(
      `openai ${plan.op.name}: streamed answer is not an SDK Stream; usage not observed`,
    );
    plan.call.succeed(toOutcome(plan, { requestId }));
    return;
  }
  const original = s.iterator as IteratorFactory;
  const state = plan.op.stream === "response-events" ? new ResponseEventsState() : new ChunkStreamState();
  const watch = watchUnread(s, s.controller?.signal, unreadRecorder(plan, requestId));
  s.iterator = function trackedIterator(this: unknown, ...args: unknown[]): AsyncIterator<unknown> {
    watch.started();
    const source = original.apply(this, args);
    try {
      // One layer per stream: observing, hiding the injected usage-only chunk and the end all happen here.
      const hooks: TapHooks<unknown> = {
        onItem: (item) => {
          if (state.observe(item)) plan.call.firstToken();
        },
        onEnd: (end, error) => finish(end, error, s, plan, state, requestId),
        onHookError: (stage, e) => reportSafely(plan.sink, `openai:${stage}`, e),
      };
      if (state instanceof ChunkStreamState) hooks.present = (item) => hideInjectedUsage(item, plan);
      return tapAsyncIterator(source, hooks);
    } catch (e) {
      reportSafely(plan.sink, "openai:stream-wrap", e);
      return source;
    }
  };
}

/**
 * The caller never read the stream: the provider still generated (and billed) it. One event, usage `missing`,
 * `metadata.streamUnread` saying how it ended (`aborted`, `released` = garbage-collected, `exit`).
 */
/** Built outside `instrumentStream` so the callback's closure cannot keep the stream itself alive. */
function unreadRecorder(plan: CallPlan, requestId: string | null): (reason: UnreadReason) => void {
  return (reason) => recordUnread(plan, requestId, reason);
}

export function recordUnread(plan: CallPlan, requestId: string | null, reason: UnreadReason): void {
  try {
    endUnread(plan.call, reason, toOutcome(plan, { requestId }));
  } catch (e) {
    reportSafely(plan.sink, "openai:stream-unread", e);
  }
}

export function finish(
  end: "done" | "return" | "error",
  error: unknown,
  stream: StreamLike | null,
  plan: CallPlan,
  state: ChunkStreamState | ResponseEventsState,
  requestId: string | null,
): void {
  const outcome = toOutcome(plan, state.seen(requestId));
  if (end === "return") return plan.call.abandon(outcome);
  if (end === "error") return plan.call.fail(error, outcome);
  // The SDK's iterator ends quietly when its controller is aborted; that is an abort, not a completion.
  const signal = stream?.controller?.signal;
  if (signal?.aborted) return plan.call.fail(signal.reason ?? abortError(), outcome);
  if (state instanceof ResponseEventsState && state.end.kind === "failed")
    return plan.call.fail(state.end.error, outcome);
  plan.call.succeed(outcome);
}

/**
 * What the caller sees of a chunk: when we injected `include_usage`, the usage-only chunk that exists only because
 * we asked for it is dropped (its usage was read by `observe`), and other chunks come without the `usage: null` key.
 */
function hideInjectedUsage(item: unknown, plan: CallPlan): unknown {
  if (!plan.injected) return item;
  if (ChunkStreamState.isUsageOnly(item)) return HIDE;
  return ChunkStreamState.withoutInjectedNull(item);
}

function abortError(): Error {
  const e = new Error("The stream was aborted");
  e.name = "AbortError";
  return e;
}
