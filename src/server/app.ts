import cookie from "@fastify/cookie";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { Pricer } from "../core/pricer.js";
import { installAuthentication } from "./auth/authenticate.js";
import { ApiError, installErrorHandling } from "./errors.js";
import { openApiDocument } from "./openapi.js";
import type { ServerStorage } from "./ports.js";
import { ledgerRateLimitStore } from "./rate-limit-store.js";
import { alertRoutes } from "./routes/alerts.js";
import { auditRoutes } from "./routes/audit.js";
import { budgetRoutes } from "./routes/budgets.js";
import { costRoutes } from "./routes/costs.js";
import { healthRoutes } from "./routes/health.js";
import { sessionRoutes } from "./routes/session.js";
import { usageRoutes } from "./routes/usage.js";

/** Mounts more routes into the same server (the web dashboard, the tracking proxy under its own prefix). */
export type ServerPlugin = (app: FastifyInstance, ctx: { storage: ServerStorage }) => Promise<void> | void;

export interface ServerOptions {
  readonly storage: ServerStorage;
  readonly pricer: Pricer;
  /**
   * Requests per key (per client IP before login) per window; default 1200 per minute. `store`: "ledger"
   * (default) counts in the ledger's database, shared by every server process on it; "memory" counts per process.
   */
  readonly rateLimit?: {
    readonly max: number;
    readonly timeWindowMs: number;
    readonly store?: "ledger" | "memory";
  };
  /** TLS for Fastify's own listener (PEM contents). */
  readonly https?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** A TLS-terminating reverse proxy forwards to us: trust X-Forwarded-*, Secure cookies. */
  readonly behindProxy?: boolean;
  /** Dashboard session lifetime; default 8 h. */
  readonly sessionTtlMs?: number;
  /** Request log (pino); default off. Authorization and cookies are never logged. */
  readonly logger?: boolean;
  readonly version?: string;
  /** Registered after the API routes: the dashboard (src/server/dashboard) and, later, the proxy. */
  readonly plugins?: readonly ServerPlugin[];
}

/** The Fastify app behind `tokenledger serve`, ready to `listen()`; `app.close()` drains requests, then closes the ledger. */
export async function createServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { storage } = opts;
  let closing = false;
  const base: FastifyServerOptions = {
    bodyLimit: 5 * 1024 * 1024,
    trustProxy: opts.behindProxy === true,
    // Fastify 5 answers 503 to new requests while closing and drains the ones in flight.
    return503OnClosing: true,
    logger: opts.logger
      ? {
          level: "info",
          redact: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'],
        }
      : false,
  };
  // The HTTPS and HTTP instances differ only in their raw server type; the routes use neither.
  const app = (
    opts.https
      ? Fastify({ ...base, https: { cert: opts.https.cert, key: opts.https.key } } as FastifyServerOptions)
      : Fastify(base)
  ) as FastifyInstance;

  installErrorHandling(app);
  await app.register(cookie);
  installAuthentication(app, storage.access);
  await registerRateLimit(app, storage, opts.rateLimit);

  healthRoutes(app, storage, () => closing);
  app.get("/api/v1/openapi.json", async () => openApiDocument(opts.version ?? "0"));
  usageRoutes(app, storage, opts.pricer);
  costRoutes(app, storage);
  budgetRoutes(app, storage);
  alertRoutes(app, storage);
  auditRoutes(app, storage);
  sessionRoutes(app, storage, {
    ttlMs: opts.sessionTtlMs ?? 8 * 3600_000,
    secureCookie: opts.https !== undefined || opts.behindProxy === true,
  });
  // After in-flight requests have finished, the ledger's connections go last: close hooks run last-registered
  // first, so this one, registered before the plugins', runs after theirs (a plugin may still flush into it).
  app.addHook("onClose", async () => {
    await storage.close();
  });
  // Plugins: the dashboard (src/server/dashboard) and, with `serve --proxy`, the tracking proxy.
  for (const plugin of opts.plugins ?? []) await plugin(app, { storage });

  app.addHook("preClose", async () => {
    closing = true;
  });
  // A keep-alive connection whose request was in flight at close() would otherwise hold close() open
  // until the client drops it: tell the client this response is the connection's last.
  app.addHook("onSend", async (_req, reply) => {
    if (closing) reply.header("connection", "close");
  });
  return app;
}

/**
 * Per key (after authentication, which runs first as a global onRequest hook), else per client address,
 * counted in the ledger so several processes over one ledger share the limit (rate-limit-store.ts).
 */
async function registerRateLimit(
  app: FastifyInstance,
  storage: ServerStorage,
  limit: ServerOptions["rateLimit"],
): Promise<void> {
  const shared = (limit?.store ?? "ledger") === "ledger";
  await app.register(rateLimit, {
    ...(shared ? { store: ledgerRateLimitStore(storage.access) } : {}),
    max: limit?.max ?? 1200,
    timeWindow: limit?.timeWindowMs ?? 60_000,
    keyGenerator: (req) => (req.principal ? `key:${req.principal.id}` : `ip:${req.ip}`),
    // Health probes are neither limited nor counted: /readyz must report the ledger's state (503), not the
    // limiter's failure to reach that same ledger (500).
    allowList: (req) => req.url === "/healthz" || req.url === "/readyz",
    // A counter write that fails (ledger briefly unreachable) lets the request through to its route, which
    // answers with its own error, instead of turning every API call into a 500.
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) =>
      new ApiError(
        "rate_limited",
        `rate limit of ${ctx.max} requests per ${ctx.after} reached; retry after ${ctx.after}`,
      ),
  });
}
