import { signalOf, watchUnread, type UnreadWatch } from "../_shared/unread.js";
import { requestIdFromHeaders, type CallPlan } from "./plan.js";
import { recordUnread } from "./stream.js";

/**
 * A streamed `create()` whose promise is never awaited: the SDK sends the request anyway, and the provider
 * generates and bills the answer. Nothing parses it, so the stream watcher never starts. This watches the
 * `APIPromise` itself until its parse starts (await, `.then`, `withResponse()`, `asResponse()`) and records the
 * call once, usage `missing`, `metadata.streamUnread` = `released` (garbage-collected), `exit` or `aborted`
 * (the caller's `signal`). Once parsing starts, the stream's own end handling (or its unread watch) takes over.
 */
export function watchUnawaited(promise: object, plan: CallPlan, options: unknown): UnreadWatch {
  const seen = { requestId: null as string | null };
  const watch = watchUnread(promise, signalOf(options), unawaitedRecorder(plan, seen));
  // The request id arrives with the headers; read from the SDK's response promise, never the body.
  (promise as { responsePromise?: Promise<unknown> }).responsePromise?.then(
    (props) => (seen.requestId = requestIdFromHeaders((props as { response?: unknown } | null)?.response)),
    () => undefined,
  );
  return watch;
}

/** Its own scope: the callback's closure holds the plan and the id, never the promise it watches. */
function unawaitedRecorder(plan: CallPlan, seen: { requestId: string | null }) {
  return (reason: Parameters<typeof recordUnread>[2]): void => recordUnread(plan, seen.requestId, reason);
}
