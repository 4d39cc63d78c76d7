import type { LlmCall } from "../_shared/call.js";
import { isAbort, type CallOutcome } from "../_shared/call.js";
import { unreadEnder, watchUnread } from "../_shared/unread.js";
import { tapAsyncIterator } from "../_shared/stream-tap.js";
import type { UsageSink } from "../_shared/types.js";
import { reportSafely } from "../_shared/guard.js";
import { StreamUsage } from "./stream-usage.js";

interface SdkStream {
  iterator: (this: unknown) => AsyncIterator<unknown>;
  controller?: { signal?: AbortSignal };
}

export function isSdkStream(value: unknown): value is SdkStream {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { iterator?: unknown }).iterator === "function"
  );
}

/**
 * Observe the SDK `Stream` in place: its `iterator` method is what `[Symbol.asyncIterator]()`, `tee()` and
 * `toReadableStream()` all call, so replacing that one own property covers every way of reading the stream
 * while the caller keeps the very same object (`controller`, `tee()`, ...). The call is finished exactly once:
 * at the end of the events (succeed), on `break`/`return()` (abandon), on abort (fail, aborted) or on a
 * mid-stream error (fail), each time with the usage seen so far.
 */
export function observeStream(
  stream: SdkStream,
  call: LlmCall,
  sink: UsageSink,
  requestId: string | null,
): void {
  const original = stream.iterator;
  const usage = new StreamUsage();
  let tapped = false;
  // Never read at all: recorded (usage missing) when aborted, released or at exit.
  const watch = watchUnread(stream, stream.controller?.signal, unreadEnder(call, unreadOutcome(requestId)));
  stream.iterator = function iterator(this: unknown): AsyncIterator<unknown> {
    watch.started();
    const source = original.call(this);
    // A second read of a consumed stream fails inside the SDK; only the first reader is the call's stream.
    if (tapped) return source;
    tapped = true;
    return tapAsyncIterator(source, {
      onItem(event) {
        if (usage.add(event)) call.firstToken();
      },
      onEnd(end, error) {
        const partial = usage.outcome(requestId);
        // Leaving the loop on `message_stop` itself is a complete answer, not an abandoned one.
        if (end === "return") return usage.complete ? call.succeed(partial) : call.abandon(partial);
        if (end === "error") return call.fail(error, partial);
        // The SDK ends the iteration quietly when its controller is aborted: that is an abort, not a success.
        const signal = stream.controller?.signal;
        if (!usage.complete && signal?.aborted) return call.fail(abortErrorOf(signal), partial);
        call.succeed(
          usage.complete ? partial : { ...partial, usageSource: partial.usage ? "partial" : "missing" },
        );
      },
      onHookError(stage, err) {
        reportSafely(sink, `anthropic.${stage}`, err);
      },
    });
  };
}

function unreadOutcome(requestId: string | null): () => CallOutcome {
  return () => ({ requestId });
}

function abortErrorOf(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (isAbort(reason)) return reason;
  const err = new Error("The stream was aborted");
  err.name = "AbortError";
  return err;
}
