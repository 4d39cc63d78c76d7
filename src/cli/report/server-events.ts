import type { LedgerEvent } from "../../core/event.js";
import type { Dimension, EventQuery } from "../../core/query.js";
import { TokenLedgerConfigError } from "../../core/errors.js";
import type { CliContext } from "../context.js";
import { serverFor, serverGet, type ServerGet } from "./server-rollup.js";

/** Something that streams events: a local ledger, or a tokenledger server through GET /api/v1/usage. */
export interface EventSource {
  events(query: EventQuery): AsyncIterable<LedgerEvent>;
}

/** The filters GET /api/v1/usage takes (src/server/schemas/queries.ts, UsageQuerySchema). */
const USAGE_FILTERS: readonly Dimension[] = ["provider", "model", "user", "team", "project", "feature"];
const PAGE = 1000; // the endpoint's largest page

/** A query as GET /api/v1/usage parameters; a filter the endpoint lacks is an error naming it, never dropped. */
export function usageParams(q: EventQuery): URLSearchParams {
  const p = new URLSearchParams();
  // The endpoint defaults to the last 30 days; a read without --since means all time.
  p.set("from", (q.since ?? new Date(0)).toISOString());
  if (q.until) p.set("to", q.until.toISOString());
  if (q.unpricedOnly)
    throw new TokenLedgerConfigError("--server: unpriced-only event reads are not available from a server");
  for (const [dim, value] of Object.entries(q.where ?? {})) {
    // Refused, not dropped: silently ignoring a filter would print someone else's events as if they matched.
    if (!USAGE_FILTERS.includes(dim as Dimension))
      throw new TokenLedgerConfigError(
        `--where ${dim}: reading events filtered by ${dim} is not available with --server ` +
          `(the server filters events by ${USAGE_FILTERS.join(", ")})`,
      );
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v === null)
        throw new TokenLedgerConfigError(
          `--where ${dim}: matching a missing value is not available with --server`,
        );
      p.append(dim, v as string);
    }
  }
  p.set("limit", String(PAGE));
  return p;
}

type WireLedgerEvent = Omit<LedgerEvent, "timestamp"> & { readonly timestamp: string };

/**
 * Events from a tokenledger server, oldest first, page by page with the server's cursor (constant memory, as
 * local reads). The key's role and scope apply: the server answers only the events the key may read.
 */
export function serverEventSource(server: string, env: NodeJS.ProcessEnv = process.env): EventSource {
  const get = serverGet(server, env);
  return {
    events(query: EventQuery): AsyncIterable<LedgerEvent> {
      const params = usageParams(query); // at the call, so a refused filter fails before any output
      return pages(get, params);
    },
  };
}

async function* pages(get: ServerGet, params: URLSearchParams): AsyncIterable<LedgerEvent> {
  for (let cursor: string | null = null; ;) {
    // The server's cursor (the last event's key), not an offset: a row stored while we page cannot shift the
    // pages and repeat an event.
    if (cursor) params.set("cursor", cursor);
    const page = await get<{ events: WireLedgerEvent[]; nextCursor: string | null }>(
      `/api/v1/usage?${params.toString()}`,
    );
    // JSON carries the time as text; formatters and block grouping expect a Date, as from a local ledger.
    for (const e of page.events) yield { ...e, timestamp: new Date(e.timestamp) };
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

/** Where a read command's events come from: the server's API, or the local ledger (which must exist). */
export async function eventSource(ctx: CliContext, flag: string | undefined): Promise<EventSource> {
  const server = serverFor(ctx, flag);
  return server ? serverEventSource(server) : ctx.existingStorage();
}
