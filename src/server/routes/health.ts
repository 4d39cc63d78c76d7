import type { FastifyInstance } from "fastify";
import type { ServerStorage } from "../ports.js";

/** Liveness (the process answers) and readiness (the ledger answers a query; 503 while shutting down). */
export function healthRoutes(app: FastifyInstance, storage: ServerStorage, closing: () => boolean): void {
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (req, reply) => {
    if (closing()) return reply.status(503).send({ status: "shutting_down" });
    try {
      const now = new Date();
      await storage.rollup({ since: now, until: new Date(now.getTime() + 1) });
      return { status: "ready" };
    } catch (err) {
      req.log.warn({ err: { message: (err as Error).message } }, "readiness probe failed");
      return reply.status(503).send({ status: "unavailable" });
    }
  });
}
