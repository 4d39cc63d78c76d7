// Shared helpers for the storage benchmarks (not a benchmark itself).
import { uuidv7 } from "uuidv7";
import type { LedgerEvent } from "tokenledger";

export const PG_URL = process.env.TOKENLEDGER_TEST_PG_URL || "postgres://postgres@127.0.0.1:5432/test";

export async function timeIt(fn: () => Promise<void> | void): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const MODELS = [
  "gpt-4o",
  "gpt-4o-mini",
  "claude-sonnet-4",
  "claude-haiku-4",
  "gemini-2.5-pro",
  "gemini-2.5-flash",
];

/** Realistic events spread over `days` before `end`, 500 users, 20 teams. */
export function makeEvents(n: number, days = 30, end = Date.UTC(2026, 10, 22)): LedgerEvent[] {
  const span = days * 86_400_000;
  return Array.from({ length: n }, (_, i) => ({
    id: uuidv7(),
    timestamp: new Date(end - span + Math.floor((i / n) * span)),
    provider: i % 3 === 0 ? "anthropic" : "openai",
    model: MODELS[i % MODELS.length]!,
    requestedModel: null,
    operation: "chat",
    streamed: i % 2 === 0,
    status: i % 50 === 0 ? "error" : "ok",
    errorType: null,
    httpStatus: null,
    errorMessage: null,
    latencyMs: 200 + (i % 1000),
    timeToFirstTokenMs: null,
    requestId: `req_${i}`,
    usage: {
      uncachedInputTokens: 500 + (i % 300),
      cacheReadTokens: i % 200,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 100 + (i % 400),
      reasoningTokens: 0,
      inputAudioTokens: 0,
      outputAudioTokens: 0,
      tierBasisTokens: 0,
      webSearchRequests: 0,
    },
    usageSource: "provider",
    serviceTier: null,
    batch: false,
    costUsd: `0.000${(i % 997) + 100}375`,
    unpriced: false,
    pricingKey: null,
    userId: `user-${i % 500}`,
    teamId: `team-${i % 20}`,
    projectId: null,
    feature: i % 4 === 0 ? "search" : "chat",
    costCenter: null,
    sessionId: null,
    traceId: null,
    environment: "prod",
    app: null,
    metadata: null,
    sampleWeight: 1,
  }));
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n${title}`);
  console.table(rows);
}
