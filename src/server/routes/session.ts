import type { FastifyInstance, FastifyReply } from "fastify";
import { SESSION_COOKIE, keyFromToken, principalOf, toPrincipal } from "../auth/authenticate.js";
import { hashSecret, opaqueToken } from "../auth/key-format.js";
import { actorOf } from "../audit-actor.js";
import { ApiError, parseOr400 } from "../errors.js";
import type { ServerStorage } from "../ports.js";
import { LoginBodySchema } from "../schemas/principal.js";

export interface SessionOptions {
  /** Session lifetime; default 8 hours. */
  readonly ttlMs: number;
  /** Mark the cookie Secure (TLS or an HTTPS reverse proxy in front). */
  readonly secureCookie: boolean;
}

const cookieOptions = (opts: SessionOptions) =>
  ({ path: "/", httpOnly: true, sameSite: "strict", secure: opts.secureCookie }) as const;

/**
 * Dashboard login: the API key is exchanged for a random session id, set as an HttpOnly SameSite=Strict
 * cookie; only its hash is stored, and the key itself never goes into a cookie or a log.
 */
export function sessionRoutes(app: FastifyInstance, storage: ServerStorage, opts: SessionOptions): void {
  const clear = (reply: FastifyReply) => reply.clearCookie(SESSION_COOKIE, cookieOptions(opts));

  loginRoute(app, storage, opts);

  app.get("/api/v1/session", async (req) => {
    const principal = principalOf(req);
    if (req.sessionCsrf === null)
      throw new ApiError("unauthorized", "no session: log in with POST /api/v1/session");
    return { csrfToken: req.sessionCsrf, principal };
  });

  app.delete("/api/v1/session", async (req, reply) => {
    const principal = principalOf(req);
    const cookie = req.cookies[SESSION_COOKIE];
    if (cookie) {
      await storage.access.deleteSession(hashSecret(cookie));
      await storage.audit.append({
        actor: actorOf(principal),
        action: "session.logout",
        target: principal.id,
        details: {},
      });
    }
    clear(reply);
    return reply.status(204).send();
  });
}

/** POST /api/v1/session: a valid key (not an ingest key) becomes a session; the login is audited. */
function loginRoute(app: FastifyInstance, storage: ServerStorage, opts: SessionOptions): void {
  app.post("/api/v1/session", async (req, reply) => {
    const body = parseOr400(LoginBodySchema, req.body);
    const key = await keyFromToken(storage.access, body.key);
    const principal = toPrincipal(key);
    if (principal.role === "ingest")
      throw new ApiError("forbidden", "ingest keys can only send usage; they cannot log in");
    const now = Date.now();
    const sessionId = opaqueToken();
    const csrfToken = opaqueToken();
    await storage.access.deleteExpiredSessions(now);
    await storage.access.insertSession({
      id: hashSecret(sessionId),
      keyId: key.id,
      csrf: csrfToken,
      createdAt: now,
      expiresAt: now + opts.ttlMs,
    });
    await storage.audit.append(
      { actor: actorOf(principal), action: "session.login", target: key.id, details: { ip: req.ip } },
      now,
    );
    reply.setCookie(SESSION_COOKIE, sessionId, {
      ...cookieOptions(opts),
      maxAge: Math.floor(opts.ttlMs / 1000),
    });
    return { csrfToken, principal };
  });
}
