import type { Observed } from "./plan.js";
import { openaiChatMeta, type ResponseMeta } from "../_shared/response-meta.js";

interface Chunk {
  model?: unknown;
  usage?: unknown;
  service_tier?: unknown;
  choices?: unknown;
}

/**
 * Chat Completions / legacy Completions chunks. Usage arrives on a chunk with `usage != null` (never detected
 * by empty `choices`: Azure's first content-filter chunk also has `choices: []`, with `usage: null`).
 * The last non-null usage wins; deltas are never summed.
 */
export class ChunkStreamState {
  #model: unknown;
  #usage: unknown;
  #serviceTier: unknown;
  #id: string | undefined;
  /** Per choice index: a stream ends each choice with its own `finish_reason`. */
  #reasons: string[] = [];

  /** Returns true when the chunk carries content (time to first token). */
  observe(item: unknown): boolean {
    const chunk = item as Chunk | null;
    if (!chunk || typeof chunk !== "object") return false;
    // Azure's content-filter chunk has `model: ""`; take the model from a later chunk.
    if (typeof chunk.model === "string" && chunk.model) this.#model = chunk.model;
    if (chunk.usage !== undefined && chunk.usage !== null) this.#usage = chunk.usage;
    if (typeof chunk.service_tier === "string") this.#serviceTier = chunk.service_tier;
    this.#noteMeta(chunk);
    return Array.isArray(chunk.choices) && chunk.choices.length > 0;
  }

  /** The usage-only chunk that exists only because we injected `include_usage`. */
  static isUsageOnly(item: unknown): boolean {
    const chunk = item as Chunk | null;
    return (
      !!chunk &&
      typeof chunk === "object" &&
      chunk.usage != null &&
      Array.isArray(chunk.choices) &&
      chunk.choices.length === 0
    );
  }

  /**
   * With `include_usage`, OpenAI adds `usage: null` to every other chunk. When we injected the option, the caller
   * gets a copy without that key, so their chunks have the same keys as untracked ones. A copy, not `delete`:
   * deleting is slower and leaves the chunk a slow dictionary-mode object for the caller to read.
   */
  static withoutInjectedNull(item: unknown): unknown {
    const chunk = item as Chunk | null;
    if (!chunk || typeof chunk !== "object" || chunk.usage !== null) return item;
    const { usage: _usage, ...rest } = chunk;
    return rest;
  }

  #noteMeta(chunk: Chunk): void {
    const m = openaiChatMeta(chunk);
    this.#id ??= m.responseId;
    if (!m.finishReasons || !Array.isArray(chunk.choices)) return;
    for (const c of chunk.choices as { index?: unknown; finish_reason?: unknown }[]) {
      if (typeof c?.finish_reason === "string" && c.finish_reason)
        this.#reasons[typeof c.index === "number" ? c.index : 0] = c.finish_reason;
    }
  }

  seen(requestId: string | null): Observed {
    const reasons = this.#reasons.filter((r) => typeof r === "string");
    const meta: ResponseMeta = {
      ...(this.#id ? { responseId: this.#id } : {}),
      ...(reasons.length > 0 ? { finishReasons: reasons } : {}),
    };
    return { model: this.#model, usage: this.#usage, serviceTier: this.#serviceTier, requestId, meta };
  }
}
