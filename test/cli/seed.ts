import { sqliteStorage } from "tokenledger/sqlite";
import type { LedgerEvent } from "tokenledger";
import { EMPTY_USAGE } from "tokenledger";
import { randomUUID } from "node:crypto";

export type EventSeed = Partial<Omit<LedgerEvent, "usage" | "timestamp">> & {
  readonly at: string;
  readonly usage?: Partial<LedgerEvent["usage"]>;
};

export function ledgerEvent(s: EventSeed): LedgerEvent {
  const { at, usage, ...rest } = s;
  return {
    id: randomUUID(),
    timestamp: new Date(at),
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
    usage: { ...EMPTY_USAGE, ...usage },
    usageSource: "provider",
    serviceTier: null,
    batch: false,
    costUsd: null,
    unpriced: rest.costUsd === undefined || rest.costUsd === null,
    pricingKey: null,
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

/** Write events straight into a real SQLite ledger file (what the SDK would have recorded). */
export async function seedLedger(path: string, seeds: readonly EventSeed[]): Promise<void> {
  const storage = sqliteStorage({ path });
  await storage.init();
  await storage.insertBatch(seeds.map(ledgerEvent));
  await storage.close();
}
