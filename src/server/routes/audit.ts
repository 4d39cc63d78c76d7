import type { FastifyInstance } from "fastify";
import { requireRole } from "../auth/authenticate.js";
import { parseOr400 } from "../errors.js";
import type { ServerStorage } from "../ports.js";
import { AuditQuerySchema } from "../schemas/queries.js";

export function auditRoutes(app: FastifyInstance, storage: ServerStorage): void {
  /** Newest first; `nextCursor` pages back in time. */
  app.get("/api/v1/audit", async (req) => {
    requireRole(req, ["admin"]);
    const q = parseOr400(AuditQuerySchema, req.query);
    const rows = await storage.audit.list(q.limit + 1, q.cursor ? Number(q.cursor) : undefined);
    const more = rows.length > q.limit;
    const entries = more ? rows.slice(0, q.limit) : rows;
    return { entries, nextCursor: more ? String(entries[entries.length - 1]!.seq) : null };
  });
}
