import { StringDecoder } from "node:string_decoder";
import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";
import { mergeAnthropicStreamUsage } from "../usage/anthropic.js";
import { ChunkStreamState } from "../../interceptors/openai/chunk-stream.js";
import { anthropicMeta } from "../../interceptors/_shared/response-meta.js";
import { ResponseEventsState } from "../../interceptors/openai/response-events.js";
import type { UsageShape } from "./routes.js";
import { EMPTY_OUTCOME, errorText, obj, str, type TapOutcome, type UsageTap } from "./tap-types.js";

/** Follows one event stream's usage. `event` is the SSE event name when the server sent one. */
interface StreamState {
  /** Whether this event must be JSON-parsed (most content deltas need not be: that keeps the tap cheap). */
  wants(event: string | undefined, data: string): boolean;
  /** A parsed event; returns true when it carries generated content. */
  observe(event: string | undefined, parsed: unknown): boolean;
  /** An event not parsed; true when it is generated content (time to first token). */
  skipped(event: string | undefined): boolean;
  outcome(): TapOutcome;
}

const ANTHROPIC_USAGE_EVENTS = new Set(["message_start", "message_delta", "message_stop", "error"]);

/** Anthropic Messages: `message_start` usage, then each `message_delta` overwrites the cumulative counters. */
class AnthropicState implements StreamState {
  #model: string | null = null;
  #usage: Record<string, unknown> | undefined;
  #stopped = false;
  #failure: string | null = null;
  #id: unknown;
  #stopReason: unknown;

  wants(event: string | undefined): boolean {
    return event === undefined || ANTHROPIC_USAGE_EVENTS.has(event);
  }
  skipped(event: string | undefined): boolean {
    return event === "content_block_delta";
  }
  observe(_event: string | undefined, parsed: unknown): boolean {
    const e = obj(parsed);
    switch (e.type) {
      case "message_start": {
        const m = obj(e.message);
        this.#model = str(m.model) ?? this.#model;
        this.#id ??= m.id;
        if (m.usage && typeof m.usage === "object")
          this.#usage = mergeAnthropicStreamUsage(this.#usage, m.usage);
        return false;
      }
      case "message_delta":
        this.#stopReason = obj(e.delta).stop_reason ?? this.#stopReason;
        if (e.usage && typeof e.usage === "object")
          this.#usage = mergeAnthropicStreamUsage(this.#usage, e.usage);
        return false;
      case "message_stop":
        this.#stopped = true;
        return false;
      case "error":
        this.#failure = errorText(e) ?? "error event";
        return false;
      default:
        return e.type === "content_block_delta";
    }
  }
  outcome(): TapOutcome {
    return {
      ...EMPTY_OUTCOME,
      model: this.#model,
      usage: this.#usage ?? null,
      serviceTier: str(this.#usage?.service_tier),
      complete: this.#stopped,
      failure: this.#failure,
      ...anthropicMeta({ id: this.#id, stop_reason: this.#stopReason }),
    };
  }
}

const RESPONSES_USAGE_EVENTS = new Set([
  "response.created",
  "response.completed",
  "response.incomplete",
  "response.failed",
  "error",
]);

/** OpenAI Responses: usage arrives with `response.completed` (or `incomplete` / `failed`). */
class ResponsesState implements StreamState {
  readonly #state = new ResponseEventsState();
  wants(event: string | undefined): boolean {
    return event === undefined || RESPONSES_USAGE_EVENTS.has(event);
  }
  skipped(event: string | undefined): boolean {
    return event !== undefined && event.endsWith(".delta");
  }
  observe(_event: string | undefined, parsed: unknown): boolean {
    return this.#state.observe(parsed);
  }
  outcome(): TapOutcome {
    const seen = this.#state.seen(null);
    const end = this.#state.end;
    return {
      ...EMPTY_OUTCOME,
      model: str(seen.model),
      usage: seen.usage ?? null,
      serviceTier: str(seen.serviceTier),
      complete: end.kind !== "none",
      failure: end.kind === "failed" ? end.error.message : null,
      ...(seen.metadata ? { metadata: seen.metadata } : {}),
      ...seen.meta,
    };
  }
}

/** A chunk with a usage object (not `"usage": null`). */
const HAS_USAGE = /"usage"\s*:\s*\{/;
/** A chunk that ends a choice (`"finish_reason": "stop"`, not `null`): parsed for gen_ai.response.finish_reasons. */
const HAS_FINISH = /"finish_reason"\s*:\s*"/;

/** OpenAI Chat Completions: the usage chunk when the stream has one; `[DONE]` ends it. */
class ChatState implements StreamState {
  readonly #state = new ChunkStreamState();
  #content = false;
  #done = false;
  #failure: string | null = null;
  wants(_event: string | undefined, data: string): boolean {
    if (data === "[DONE]") {
      this.#done = true;
      return false;
    }
    // Parse until the first content chunk (model, time to first token), then only chunks with usage or errors.
    return !this.#content || HAS_USAGE.test(data) || HAS_FINISH.test(data) || data.includes('"error"');
  }
  skipped(): boolean {
    return false;
  }
  observe(_event: string | undefined, parsed: unknown): boolean {
    if (obj(parsed).error !== undefined) this.#failure = errorText(parsed) ?? "error chunk";
    const content = this.#state.observe(parsed);
    if (content) this.#content = true;
    return content;
  }
  outcome(): TapOutcome {
    const seen = this.#state.seen(null);
    return {
      ...EMPTY_OUTCOME,
      model: str(seen.model),
      usage: seen.usage ?? null,
      serviceTier: str(seen.serviceTier),
      complete: this.#done,
      failure: this.#failure,
      ...seen.meta,
    };
  }
}

function stateFor(shape: UsageShape | null): StreamState {
  if (shape === "anthropic-messages") return new AnthropicState();
  if (shape === "openai-responses") return new ResponsesState();
  return new ChatState();
}

/**
 * Parses a copy of a `text/event-stream` body with eventsource-parser. Only the events that carry usage (or
 * end the stream) are JSON-parsed. Data that is not JSON marks the stream malformed; the bytes still pass.
 */
export class SseTap implements UsageTap {
  readonly #decoder = new StringDecoder("utf8");
  readonly #parser: EventSourceParser;
  readonly #state: StreamState;
  readonly #onContent: () => void;
  #malformed = false;

  constructor(shape: UsageShape | null, onContent: () => void) {
    this.#state = stateFor(shape);
    this.#onContent = onContent;
    this.#parser = createParser({ onEvent: (m) => this.#event(m) });
  }

  #event(m: EventSourceMessage): void {
    const event = m.event;
    if (!this.#state.wants(event, m.data)) {
      if (this.#state.skipped(event)) this.#onContent();
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(m.data);
    } catch {
      this.#malformed = true;
      return;
    }
    if (this.#state.observe(event, parsed)) this.#onContent();
  }

  write(chunk: Buffer): void {
    try {
      this.#parser.feed(this.#decoder.write(chunk));
    } catch {
      this.#malformed = true;
    }
  }

  async finish(): Promise<TapOutcome> {
    try {
      this.#parser.feed(this.#decoder.end());
    } catch {
      this.#malformed = true;
    }
    const out = this.#state.outcome();
    return this.#malformed ? { ...out, malformed: true } : out;
  }
}
