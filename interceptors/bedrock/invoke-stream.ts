import type { NormalizedUsage } from "../../src/core/buckets.js";
import {
  bedrockFamily,
  fromAnthropicUsage,
  fromBedrockConverseUsage,
  fromCounts,
  mergeAnthropicStreamUsage,
} from "../../src/usage/index.js";

/**
 * Observes InvokeModelWithResponseStream chunks (`{ chunk: { bytes } }`, each one native JSON event).
 * - Claude: `message_start.message.usage`, then cumulative `message_delta.usage` (overwrite, never add).
 * - Every family: `amazon-bedrock-invocationMetrics` on the last chunk (Bedrock's own final counts).
 * - Llama / Titan: running counters in the chunks, kept as partial usage if the stream is cut.
 */
export class InvokeStreamObserver {
  readonly #anthropic: boolean;
  #claudeUsage: Record<string, unknown> | undefined;
  #metrics: NormalizedUsage | undefined;
  #promptCount: number | undefined;
  #outputCount: number | undefined;
  complete = false;

  constructor(familyModelId: string) {
    this.#anthropic = bedrockFamily(familyModelId) === "anthropic";
  }

  /** Returns true when the chunk is model output (for time-to-first-token). */
  observe(item: unknown): boolean {
    const bytes = (item as { chunk?: { bytes?: unknown } } | null)?.chunk?.bytes;
    if (!(bytes instanceof Uint8Array)) return false;
    const json = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown> | null;
    if (!json || typeof json !== "object") return false;
    const type = json.type;
    if (type === "message_start") {
      this.#claudeUsage = mergeAnthropicStreamUsage(
        this.#claudeUsage,
        (json.message as { usage?: unknown } | undefined)?.usage,
      );
    } else if (type === "message_delta") {
      this.#claudeUsage = mergeAnthropicStreamUsage(this.#claudeUsage, json.usage);
    }
    const metrics = json["amazon-bedrock-invocationMetrics"] as Record<string, unknown> | undefined;
    if (metrics && typeof metrics === "object") {
      this.#metrics = fromBedrockConverseUsage({
        inputTokens: metrics.inputTokenCount,
        outputTokens: metrics.outputTokenCount,
        cacheReadInputTokens: metrics.cacheReadInputTokenCount,
        cacheWriteInputTokens: metrics.cacheWriteInputTokenCount,
      });
      this.complete = true;
    }
    this.#runningCounts(json);
    return type === undefined
      ? hasOutput(json)
      : type === "content_block_delta" || type === "content_block_start";
  }

  /** Final usage, or the partial usage seen so far. */
  usage(): NormalizedUsage | undefined {
    // Claude's own counts split 5-minute and 1-hour cache writes; the invocation metrics cannot.
    if (this.#anthropic && this.#claudeUsage) return fromAnthropicUsage(this.#claudeUsage);
    if (this.#metrics) return this.#metrics;
    if (this.#claudeUsage) return fromAnthropicUsage(this.#claudeUsage);
    if (this.#promptCount !== undefined || this.#outputCount !== undefined)
      return fromCounts(this.#promptCount ?? 0, this.#outputCount ?? 0);
    return undefined;
  }

  #runningCounts(json: Record<string, unknown>): void {
    // Llama: prompt_token_count (first chunk), generation_token_count (cumulative). Titan: inputTextTokenCount,
    // totalOutputTextTokenCount (cumulative). Keep the largest seen: they only grow.
    const prompt = json.prompt_token_count ?? json.inputTextTokenCount;
    const output = json.generation_token_count ?? json.totalOutputTextTokenCount;
    if (typeof prompt === "number") this.#promptCount = Math.max(this.#promptCount ?? 0, prompt);
    if (typeof output === "number") this.#outputCount = Math.max(this.#outputCount ?? 0, output);
  }
}

/** Non-Claude chunks: Llama `generation`, Titan `outputText`, Mistral `outputs`, Cohere `text`, chat `choices`, Nova `contentBlockDelta`. */
function hasOutput(json: Record<string, unknown>): boolean {
  return ["generation", "outputText", "outputs", "text", "choices", "completion", "contentBlockDelta"].some(
    (k) => json[k] !== undefined && json[k] !== "",
  );
}
