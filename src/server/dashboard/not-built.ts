import type { FastifyInstance } from "fastify";
import { SECURITY_HEADERS } from "./security-headers.js";

/** A source checkout that was never built: the API still works, and `/` says how to get the dashboard. */
export function registerDashboardNotBuilt(app: FastifyInstance): void {
  app.get("/", async (_req, reply) =>
    reply
      .code(503)
      .headers(SECURITY_HEADERS)
      .type("text/plain; charset=utf-8")
      .send("The dashboard is not built. Run `npm run build` (it writes dist/dashboard).\n"),
  );
}
