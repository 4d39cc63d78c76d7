import type { NormalizedUsage } from "../../src/core/buckets.js";
import {
  fromOpenAIChatUsage,
  fromOpenAIEmbeddingUsage,
  fromOpenAIResponsesUsage,
} from "../../src/usage/openai.js";

/** How a streamed answer reports usage: Chat-style chunks, or Responses API events. */
export type StreamShape = "chunks" | "response-events" | "none";

/** One patched `create` method of the `openai` SDK. */
export interface Operation {
  /** Label stored as the event's `operation`. */
  readonly name: "chat" | "completion" | "responses" | "embeddings";
  /** Path from the `OpenAI` class to the resource class, e.g. `["Chat", "Completions"]`. */
  readonly classPath: readonly string[];
  readonly normalize: (usage: unknown) => NormalizedUsage;
  readonly stream: StreamShape;
  /** Honors `stream_options.include_usage` (Chat Completions and legacy Completions). */
  readonly streamOptions: boolean;
}

export const OPERATIONS: readonly Operation[] = [
  {
    name: "chat",
    classPath: ["Chat", "Completions"],
    normalize: fromOpenAIChatUsage,
    stream: "chunks",
    streamOptions: true,
  },
  {
    name: "completion",
    classPath: ["Completions"],
    normalize: fromOpenAIChatUsage,
    stream: "chunks",
    streamOptions: true,
  },
  {
    name: "responses",
    classPath: ["Responses"],
    normalize: fromOpenAIResponsesUsage,
    stream: "response-events",
    streamOptions: false,
  },
  {
    name: "embeddings",
    classPath: ["Embeddings"],
    normalize: fromOpenAIEmbeddingUsage,
    stream: "none",
    streamOptions: false,
  },
];
