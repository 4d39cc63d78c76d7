import { reportSafely } from "../_shared/guard.js";
import type { StreamEnd } from "../_shared/stream-tap.js";
import { watchUnread, type UnreadWatch } from "../_shared/unread.js";
import { ChunkStreamState } from "./chunk-stream.js";
import type { CallPlan } from "./plan.js";
import { ResponseEventsState } from "./response-events.js";
import { finish, recordUnread } from "./stream.js";

/**
 * `asResponse()` on a streamed call: the caller reads the raw server-sent events themselves. We hand them a
 * `Response` whose body passes the same events through while we read usage from them on the way, so their body
 * is never consumed for them, and cancelling it cancels the HTTP body. Events are passed on whole (an SSE reader
 * buffers to event boundaries anyway); when we injected `include_usage`, the extra usage-only event is dropped and
 * the `"usage":null` we caused is removed, so the caller sees what an untracked call would send.
 * A body nobody reads is recorded when it is released or the process exits (usage `missing`).
 */
export function tapRawStreamResponse(response: Response, plan: CallPlan, requestId: string | null): Response {
  const body = response.body;
  if (!body) {
    finish("done", undefined, null, plan, new ChunkStreamState(), requestId);
    return response;
  }
  const state = plan.op.stream === "response-events" ? new ResponseEventsState() : new ChunkStreamState();
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let ended = false;
  const end = (kind: StreamEnd, error?: unknown): void => {
    if (ended) return;
    ended = true;
    finish(kind, error, null, plan, state, requestId);
  };
  const events = new SseEvents(plan, state);
  const emitEvents = (controller: ReadableStreamDefaultController<Uint8Array>, final: boolean): boolean => {
    const text = events.take(final);
    if (text !== null) controller.enqueue(encoder.encode(text));
    return text !== null;
  };
  const unread: { watch?: UnreadWatch } = {}; // set once the Response exists
  const tapped = new ReadableStream<Uint8Array>({
    async pull(controller) {
      unread.watch?.started();
      try {
        // Keep reading until something is passed on: a pull that enqueues nothing is not called again.
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            events.push(decoder.decode());
            emitEvents(controller, true);
            controller.close();
            end("done");
            return;
          }
          events.push(decoder.decode(value, { stream: true }));
          if (emitEvents(controller, false)) return;
        }
      } catch (err) {
        controller.error(err);
        end("error", err);
      }
    },
    async cancel(reason) {
      unread.watch?.started();
      end("return");
      await reader.cancel(reason);
    },
  });
  const out = withBody(response, tapped);
  unread.watch = watchUnread(out, undefined, (reason) => {
    if (ended) return;
    ended = true;
    recordUnread(plan, requestId, reason);
  });
  return out;
}

/** The original response's status, headers, `url`, `redirected` and `type`, with our pass-through body. */
function withBody(response: Response, body: ReadableStream<Uint8Array>): Response {
  const out = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  for (const key of ["url", "redirected", "type"] as const) {
    Object.defineProperty(out, key, { value: response[key], enumerable: true });
  }
  return out;
}

/**
 * Decoded SSE text cut at event boundaries (a blank line): each whole event is observed, then passed on or
 * dropped. `take(true)` also flushes a last event without its trailing blank line.
 */
class SseEvents {
  #buffer = "";
  constructor(
    private readonly plan: CallPlan,
    private readonly state: ChunkStreamState | ResponseEventsState,
  ) {}

  push(text: string): void {
    this.#buffer += text;
  }

  /** The text to pass on now, or null when nothing is ready. */
  take(final: boolean): string | null {
    const out: string[] = [];
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.#buffer);
      if (!m) break;
      const event = this.#buffer.slice(0, m.index + m[0].length);
      this.#buffer = this.#buffer.slice(m.index + m[0].length);
      const passed = observeEvent(event, this.plan, this.state);
      if (passed !== null) out.push(passed);
    }
    if (final && this.#buffer) {
      const passed = observeEvent(this.#buffer, this.plan, this.state);
      if (passed !== null) out.push(passed);
      this.#buffer = "";
    }
    return out.length === 0 ? null : out.join("");
  }
}

/** Read one SSE event's `data:` JSON into the stream state; returns the text to pass on (null = drop it). */
function observeEvent(
  event: string,
  plan: CallPlan,
  state: ChunkStreamState | ResponseEventsState,
): string | null {
  const lines = event.split(/\r?\n/);
  const data = lines
    .filter((l) => l.startsWith("data:"))
    .map((l) => l.slice(5).replace(/^ /, ""))
    .join("\n");
  if (!data || data === "[DONE]") return event;
  let item: unknown;
  try {
    item = JSON.parse(data);
  } catch {
    return event;
  }
  try {
    if (state.observe(item)) plan.call.firstToken();
    if (plan.injected && state instanceof ChunkStreamState) {
      if (ChunkStreamState.isUsageOnly(item)) return null;
      const chunk = item as { usage?: unknown };
      if (chunk && typeof chunk === "object" && chunk.usage === null) {
        const newline = /\r\n/.test(event) ? "\r\n" : "\n";
        return `data: ${JSON.stringify(ChunkStreamState.withoutInjectedNull(item))}${newline}${newline}`;
      }
    }
  } catch (e) {
    reportSafely(plan.sink, "openai:raw-sse", e);
  }
  return event;
}
