import type { FastifyInstance } from "fastify";
import type { LedgerEvent } from "../../core/event.js";
import type { Pricer } from "../../core/pricer.js";
import { requireRole } from "../auth/authenticate.js";
import { scopedWhere } from "../auth/scope.js";
import { ApiError, parseOr400 } from "../errors.js";
import { ingestBatch, toLedgerEvent } from "../ingest.js";
import type { ServerStorage } from "../ports.js";
import { dimensionFilters, timeRange } from "../request-params.js";
import { UsageQuerySchema } from "../schemas/queries.js";
import { IngestBodySchema } from "../schemas/wire-event.js";

interface Cursor {
  readonly t: number;
  readonly id: string;
}

const encodeCursor = (e: LedgerEvent): string =>
  Buffer.from(JSON.stringify({ t: e.timestamp.getTime(), id: e.id })).toString("base64url");

function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as Partial<Cursor>;
    if (typeof c.t === "number" && Number.isFinite(c.t) && typeof c.id === "string")
      return { t: c.t, id: c.id };
  } catch {
    /* fall through */
  }
  throw new ApiError("bad_request", "cursor: not a cursor this server returned", "cursor");
}

export function usageRoutes(app: FastifyInstance, storage: ServerStorage, pricer: Pricer): void {
  app.post("/api/v1/usage", async (req) => {
    const p = requireRole(req, ["admin", "ingest"]);
    // The whole batch is validated before anything is written: one bad item rejects the request.
    const body = parseOr400(IngestBodySchema, req.body);
    const now = Date.now();
    const items = body.events.map((w, i) => toLedgerEvent(w, i, p.id, pricer, now));
    return ingestBatch(storage, items);
  });

  app.get("/api/v1/usage", async (req) => {
    const p = requireRole(req, ["admin", "manager", "member", "viewer"]);
    const q = parseOr400(UsageQuerySchema, req.query);
    const { since, until } = timeRange(q);
    const where = scopedWhere(
      p,
      dimensionFilters(q, ["provider", "model", "user", "team", "project", "feature"]),
    );
    const cursor = q.cursor ? decodeCursor(q.cursor) : null;
    const from = cursor && cursor.t > since.getTime() ? new Date(cursor.t) : since;
    const events: LedgerEvent[] = [];
    // Keyset paging on (timestamp, id), the order events() streams in.
    for await (const e of storage.events({ since: from, until, where, pageSize: q.limit + 1 })) {
      if (
        cursor &&
        (e.timestamp.getTime() < cursor.t || (e.timestamp.getTime() === cursor.t && e.id <= cursor.id))
      )
        continue;
      events.push(e);
      if (events.length > q.limit) break;
    }
    const more = events.length > q.limit;
    const page = more ? events.slice(0, q.limit) : events;
    return { events: page, nextCursor: more ? encodeCursor(page[page.length - 1]!) : null };
  });
}
