/** Provider usage → disjoint token buckets. The one place that knows which counts are subsets of which. */
export { fromOpenAIChatUsage, fromOpenAIResponsesUsage, fromOpenAIEmbeddingUsage } from "./openai.js";
export { fromAnthropicUsage, mergeAnthropicStreamUsage } from "./anthropic.js";
export { fromGeminiUsage } from "./gemini.js";
export { fromBedrockConverseUsage, fromBedrockInvokeBody, fromCounts, bedrockFamily } from "./bedrock.js";
export type { BedrockFamily } from "./bedrock.js";
export { fromOpenAIRealtimeUsage } from "./openai-realtime.js";
export { fromNativeUsage } from "./native.js";
