import type { CallOutcome } from "../_shared/call.js";
import { fromGeminiUsage } from "../../src/usage/gemini.js";
import { geminiMeta } from "../_shared/response-meta.js";

/** `models/gemini-2.5-flash` → `gemini-2.5-flash` (tuned models keep their `tunedModels/` path). */
export function stripModelsPrefix(name: unknown): string | null {
  if (typeof name !== "string" || name === "") return null;
  return name.startsWith("models/") ? name.slice("models/".length) : name;
}

/** The fields of a Gemini `GenerateContentResponse` (either SDK) that a usage event needs. */
export function geminiOutcome(response: unknown): CallOutcome {
  const r = (response !== null && typeof response === "object" ? response : {}) as Record<string, unknown>;
  const metadata = r.usageMetadata;
  const hasUsage = metadata !== null && typeof metadata === "object";
  const trafficType = hasUsage ? (metadata as Record<string, unknown>).trafficType : undefined;
  return {
    model: stripModelsPrefix(r.modelVersion),
    usage: hasUsage ? fromGeminiUsage(metadata) : null,
    requestId: typeof r.responseId === "string" ? r.responseId : null,
    // Vertex reports ON_DEMAND / ON_DEMAND_PRIORITY / PROVISIONED_THROUGHPUT here; pricing maps it to a tier.
    serviceTier: typeof trafficType === "string" ? trafficType : null,
    ...geminiMeta(r),
  };
}
