import type { Observed } from "./plan.js";

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

  /** Returns true when the chunk carries content (time to first token). */
  observe(item: unknown): boolean {
    const chunk = item as Chunk | null;
    if (!chunk || typeof chunk !== "object") return false;
    // Azure's content-filter chunk has `model: ""`; take the model from a later chunk.
    if (typeof chunk.model === "string" && chunk.model) this.#model = chunk.model;
    if (chunk.usage !== undefined && chunk.usage !== null) this.#usage = chunk.usage;
    if (typeof chunk.service_tier === "string") this.#serviceTier = chunk.service_tier;
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

  seen(requestId: string | null): Observed {
    return { model: this.#model, usage: this.#usage, serviceTier: this.#serviceTier, requestId };
  }
}
