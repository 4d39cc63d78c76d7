import type { CallOutcome } from "../_shared/call.js";
import { geminiOutcome } from "./outcome.js";

/**
 * What a Gemini stream has told us so far. Every chunk's `usageMetadata` is a running total for the whole
 * response, so the LAST one wins; chunks are never summed.
 */
export class GeminiStreamState {
  #usageMetadata: unknown;
  #modelVersion: unknown;
  #responseId: unknown;
  #candidates: unknown;
  #chunks = 0;

  get chunks(): number {
    return this.#chunks;
  }

  /** Remember what this chunk carries. Returns true when it holds model output (for time-to-first-token). */
  observe(chunk: unknown): boolean {
    this.#chunks++;
    if (chunk === null || typeof chunk !== "object") return false;
    const c = chunk as Record<string, unknown>;
    if (c.usageMetadata !== null && typeof c.usageMetadata === "object")
      this.#usageMetadata = c.usageMetadata;
    if (typeof c.modelVersion === "string") this.#modelVersion = c.modelVersion;
    if (typeof c.responseId === "string") this.#responseId = c.responseId;
    // The last chunk's candidates carry the finish reasons.
    if (Array.isArray(c.candidates)) this.#candidates = c.candidates;
    return hasOutput(c);
  }

  outcome(): CallOutcome {
    return geminiOutcome({
      usageMetadata: this.#usageMetadata,
      modelVersion: this.#modelVersion,
      responseId: this.#responseId,
      candidates: this.#candidates,
    });
  }
}

function hasOutput(chunk: Record<string, unknown>): boolean {
  const candidates = chunk.candidates;
  if (!Array.isArray(candidates)) return false;
  return candidates.some((cand) => {
    const parts = (cand as { content?: { parts?: unknown } } | null)?.content?.parts;
    return Array.isArray(parts) && parts.length > 0;
  });
}
