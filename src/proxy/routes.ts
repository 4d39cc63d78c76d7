import type { NormalizedUsage } from "../core/buckets.js";
import { fromAnthropicUsage } from "../usage/anthropic.js";
import { fromOpenAIChatUsage, fromOpenAIEmbeddingUsage, fromOpenAIResponsesUsage } from "../usage/openai.js";

export type WireFormat = "anthropic" | "openai";

/** How the answer reports usage, so the tap knows what to look for. */
export type UsageShape = "anthropic-messages" | "openai-chat" | "openai-responses" | "openai-embeddings";

/**
 * - `billed`: a call the provider bills; recorded (also when it fails).
 * - `free`: listing models or counting tokens; never recorded.
 * - `unrecognised`: any other path under /v1; passed through, recorded only if its answer carries usage.
 */
export type RouteKind = "billed" | "free" | "unrecognised";

export interface Route {
  readonly format: WireFormat;
  readonly kind: RouteKind;
  /** Stored as the event's `operation`. */
  readonly operation: string;
  readonly usage: UsageShape | null;
}

/** The one provider-usage → NormalizedUsage mapping per shape (the SDK interceptors use the same functions). */
export const NORMALIZE: Readonly<Record<UsageShape, (usage: unknown) => NormalizedUsage>> = {
  "anthropic-messages": fromAnthropicUsage,
  "openai-chat": fromOpenAIChatUsage,
  "openai-responses": fromOpenAIResponsesUsage,
  "openai-embeddings": fromOpenAIEmbeddingUsage,
};

const KNOWN: Readonly<Record<string, Route>> = {
  "POST /v1/messages": {
    format: "anthropic",
    kind: "billed",
    operation: "messages",
    usage: "anthropic-messages",
  },
  "POST /v1/messages/count_tokens": {
    format: "anthropic",
    kind: "free",
    operation: "count_tokens",
    usage: null,
  },
  "POST /v1/chat/completions": { format: "openai", kind: "billed", operation: "chat", usage: "openai-chat" },
  "POST /v1/responses": {
    format: "openai",
    kind: "billed",
    operation: "responses",
    usage: "openai-responses",
  },
  "POST /v1/embeddings": {
    format: "openai",
    kind: "billed",
    operation: "embeddings",
    usage: "openai-embeddings",
  },
};

/**
 * The route for a request (path without query, after any `/k/<key>` prefix). `GET /v1/models` exists in both
 * APIs: Anthropic clients are told apart by their `anthropic-version` / `x-api-key` headers.
 */
export function matchRoute(method: string, path: string, anthropicClient: boolean): Route {
  const known = KNOWN[`${method} ${path}`];
  if (known) return known;
  const format: WireFormat = anthropicClient ? "anthropic" : "openai";
  if (method === "GET" && (path === "/v1/models" || path.startsWith("/v1/models/")))
    return { format, kind: "free", operation: "models", usage: null };
  return {
    format,
    kind: "unrecognised",
    operation: "passthrough",
    usage: format === "anthropic" ? "anthropic-messages" : null,
  };
}

/**
 * Provider usage → buckets. An unrecognised OpenAI path has no known shape: the usage object's own keys tell
 * Responses-style (`input_tokens`) from Chat-style (`prompt_tokens`) counts.
 */
export function normalizeUsage(shape: UsageShape | null, usage: unknown): NormalizedUsage {
  if (shape) return NORMALIZE[shape](usage);
  const u = usage as Record<string, unknown>;
  return "input_tokens" in u ? fromOpenAIResponsesUsage(usage) : fromOpenAIChatUsage(usage);
}
