import { uuidv7 } from "uuidv7";
import type { LedgerEvent } from "tokenledger";

/** A complete LedgerEvent with plain defaults; tests override what they assert on. */
export function ledgerEvent(over: Partial<LedgerEvent> & { at?: string | number } = {}): LedgerEvent {
  const { at, ...rest } = over;
  return {
    id: uuidv7(),
    timestamp: at === undefined ? new Date("2026-11-20T12:00:00Z") : new Date(at),
    provider: "openai",
    model: "gpt-4o",
    requestedModel: null,
    operation: "chat",
    streamed: false,
    status: "ok",
    errorType: null,
    httpStatus: null,
    errorMessage: null,
    latencyMs: 100,
    timeToFirstTokenMs: null,
    requestId: null,
    usage: {
      uncachedInputTokens: 100,
      cacheReadTokens: 20,
      cacheWrite5mTokens: 3,
      cacheWrite1hTokens: 2,
      outputTokens: 50,
      reasoningTokens: 10,
      inputAudioTokens: 0,
      outputAudioTokens: 0,
      tierBasisTokens: 125,
      webSearchRequests: 0,
    },
    usageSource: "provider",
    serviceTier: null,
    batch: false,
    costUsd: "0.001",
    unpriced: false,
    pricingKey: "openai/gpt-4o",
    userId: null,
    teamId: null,
    projectId: null,
    feature: null,
    costCenter: null,
    sessionId: null,
    traceId: null,
    environment: null,
    app: null,
    metadata: null,
    sampleWeight: 1,
    ...rest,
  };
}
