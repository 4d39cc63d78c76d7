import type { LedgerEvent } from "./event.js";
import type { StorageAdapter } from "./storage.js";
import { stableEventId } from "./stable-id.js";

/**
 * The ledger id of one provider call known by the provider's request id (Anthropic's `request-id` response
 * header, which Claude Code also reports as `request_id` in its `api_request` event). The proxy and the OTLP
 * receiver both use this rule, so a call seen by both lands once: the storage's idempotent insert skips the second.
 */
export function providerRequestEventId(provider: string, requestId: string): string {
  return stableEventId(provider, "request", requestId);
}

type ById = (ids: readonly string[]) => Promise<LedgerEvent[]>;

/** Ids per lookup: well under SQLite's bound-parameter limit. */
const CHUNK = 500;

/**
 * Imported transcript events whose call the proxy or the OTLP receiver already recorded are dropped. Those rows
 * are keyed by the provider's request id (`providerRequestEventId`); a transcript keys its own by message id
 * (resumed sessions replay messages under new request ids), so the two ids differ and only the request id,
 * which Claude Code writes on each line, links them. Ledgers without `eventsById` (memory, JSONL) are unchanged.
 */
export async function withoutLiveDuplicates(
  storage: StorageAdapter,
  events: readonly LedgerEvent[],
): Promise<readonly LedgerEvent[]> {
  const byId = (storage as { eventsById?: ById }).eventsById;
  if (typeof byId !== "function") return events;
  const liveId = (e: LedgerEvent): string | null =>
    e.provider === "anthropic" && e.requestId ? providerRequestEventId("anthropic", e.requestId) : null;
  const ids = events.map(liveId).filter((id): id is string => id !== null && id !== undefined);
  if (ids.length === 0) return events;
  const live = new Set<string>();
  for (let i = 0; i < ids.length; i += CHUNK)
    for (const e of await byId.call(storage, ids.slice(i, i + CHUNK))) live.add(e.id);
  if (live.size === 0) return events;
  return events.filter((e) => {
    const id = liveId(e);
    return id === null || !live.has(id);
  });
}
