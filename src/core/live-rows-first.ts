import type { LedgerEvent } from "./event.js";
import { providerRequestEventId } from "./live-calls.js";
import type { StorageAdapter } from "./storage.js";

type ByRequestId = (requestIds: readonly string[], since: Date, until: Date) => Promise<LedgerEvent[]>;

/** How far apart a live row's and an imported row's timestamps of one call may be (bounds the `ts` index scan). */
const WINDOW_MS = 60 * 60 * 1000;
/** Request ids per lookup: well under SQLite's bound-parameter limit. */
const CHUNK = 500;

/**
 * Which row of one provider call the ledger keeps: the proxy's (it saw the billed answer itself, with the caller's
 * key and headers), then the OTLP receiver's (the agent's own report, live), then an import's (a transcript read
 * later, without the proxy's attribution).
 */
export function liveRank(e: LedgerEvent): number {
  if (e.metadata?.source === "otlp") return 2;
  if (e.usageSource === "import") return 1;
  return 3;
}

/** A row the proxy or the OTLP receiver wrote: keyed by the provider's request id. */
function isLive(e: LedgerEvent): e is LedgerEvent & { requestId: string } {
  return (
    e.provider === "anthropic" && !!e.requestId && e.id === providerRequestEventId("anthropic", e.requestId)
  );
}

/**
 * The storage the proxy and the OTLP receiver write through. An import skips calls a live row already holds
 * (`withoutLiveDuplicates`); this is the other direction: a live row whose request id an earlier import (or a
 * lower-ranked live source) already stored replaces that row in place, keeping its id (so re-importing the
 * transcript is still an idempotent no-op) and noting its own id in `metadata.liveEventId`. A row of equal or
 * higher rank already stored wins, and the new one is dropped. One lookup per batch, on ledgers that have
 * `eventsByRequestId` (SQLite, PostgreSQL); others keep the plain idempotent insert.
 */
export function liveRowsFirst(storage: StorageAdapter): StorageAdapter {
  const lookup = (storage as { eventsByRequestId?: ByRequestId }).eventsByRequestId;
  if (typeof lookup !== "function" || !storage.replaceBatch) return storage;
  const insertBatch = async (events: readonly LedgerEvent[]): Promise<void> => {
    const { inserts, replaces } = await settle(events, (ids, since, until) =>
      lookup.call(storage, ids, since, until),
    );
    if (inserts.length > 0) await storage.insertBatch(inserts);
    if (replaces.length > 0) await storage.replaceBatch!(replaces);
  };
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === "insertBatch") return insertBatch;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Splits a batch into plain inserts and in-place replacements of lower-ranked rows of the same call. */
export async function settle(
  events: readonly LedgerEvent[],
  lookup: ByRequestId,
): Promise<{ inserts: LedgerEvent[]; replaces: LedgerEvent[] }> {
  const live = bestPerRequest(events.filter(isLive));
  if (live.size === 0) return { inserts: [...events], replaces: [] };
  const stored = await storedRows([...live.values()], lookup);
  const inserts: LedgerEvent[] = events.filter((e) => !isLive(e));
  const replaces: LedgerEvent[] = [];
  for (const [requestId, e] of live) {
    const held = stored.get(requestId);
    if (!held) inserts.push(e);
    else if (liveRank(held) >= liveRank(e)) continue;
    else if (held.id === e.id) replaces.push(e);
    else replaces.push({ ...e, id: held.id, metadata: { ...e.metadata, liveEventId: e.id } });
  }
  return { inserts, replaces };
}

/** One live event per request id in a batch (the proxy's and the receiver's copies may flush together). */
function bestPerRequest(live: readonly (LedgerEvent & { requestId: string })[]): Map<string, LedgerEvent> {
  const out = new Map<string, LedgerEvent>();
  for (const e of live) {
    const had = out.get(e.requestId);
    if (!had || liveRank(e) > liveRank(had)) out.set(e.requestId, e);
  }
  return out;
}

/** The highest-ranked stored row per request id, among rows near the batch's times. */
async function storedRows(
  live: readonly LedgerEvent[],
  lookup: ByRequestId,
): Promise<Map<string, LedgerEvent>> {
  const times = live.map((e) => e.timestamp.getTime());
  const since = new Date(Math.min(...times) - WINDOW_MS);
  const until = new Date(Math.max(...times) + WINDOW_MS);
  const ids = live.map((e) => e.requestId!);
  const out = new Map<string, LedgerEvent>();
  for (let i = 0; i < ids.length; i += CHUNK)
    for (const row of await lookup(ids.slice(i, i + CHUNK), since, until)) {
      const had = out.get(row.requestId!);
      if (!had || liveRank(row) > liveRank(had)) out.set(row.requestId!, row);
    }
  return out;
}
