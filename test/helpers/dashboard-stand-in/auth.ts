// Contract stand-in (see /work/wt/api-contract.md "Auth"): API keys hashed in memory, dashboard sessions in an
// HttpOnly SameSite=Strict cookie, CSRF token required on cookie-authenticated writes. Replaced by the real
// server (branch issue-15-api) when it lands; only startDashboardTestServer() knows about this file.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export interface Principal {
  readonly id: string;
  readonly name: string;
  readonly role: "admin" | "manager" | "member" | "viewer" | "ingest";
  readonly scope: { readonly kind: "org" };
  readonly userId: string | null;
}

interface Session {
  readonly principal: Principal;
  readonly csrfToken: string;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const COOKIE = "tl_session";

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  field?: string,
) {
  return reply.code(status).send({ error: { code, message, ...(field ? { field } : {}) } });
}

/** Creates an API key for `principal`; only its hash is kept. */
export function createKeyStore() {
  const keys = new Map<string, Principal>();
  return {
    create(principal: Principal): string {
      const key = `tl_${randomBytes(4).toString("hex")}_${randomBytes(24).toString("base64url").replace(/[-_]/g, "x")}`;
      keys.set(sha256(key), principal);
      return key;
    },
    find(key: string): Principal | undefined {
      return keys.get(sha256(key));
    },
  };
}

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Session routes and the `/api/v1` auth hook (Bearer key or session cookie + CSRF for writes). */
export function registerAuth(app: FastifyInstance, keys: ReturnType<typeof createKeyStore>): void {
  const sessions = new Map<string, Session>();
  const sessionOf = (req: FastifyRequest) => {
    const id = req.cookies[COOKIE];
    return id ? sessions.get(sha256(id)) : undefined;
  };

  app.addHook("onRequest", async (req, reply) => {
    if (!req.url.startsWith("/api/v1/")) return;
    // Signing in needs no session; signing out with the cookie needs the CSRF header like any write.
    if (req.url.startsWith("/api/v1/session") && req.method !== "DELETE") return;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (bearer) {
      const p = keys.find(bearer);
      if (!p) return sendError(reply, 401, "unauthorized", "unknown or revoked API key");
      req.principal = p;
      return;
    }
    const s = sessionOf(req);
    if (!s)
      return sendError(reply, 401, "unauthorized", "sign in first (Authorization: Bearer or session cookie)");
    if (req.method !== "GET" && req.method !== "HEAD") {
      const sent = String(req.headers["x-csrf-token"] ?? "");
      const ok =
        sent.length === s.csrfToken.length && timingSafeEqual(Buffer.from(sent), Buffer.from(s.csrfToken));
      if (!ok) return sendError(reply, 403, "forbidden", "missing or wrong x-csrf-token header");
    }
    req.principal = s.principal;
  });

  app.post<{ Body: { key?: unknown } }>("/api/v1/session", async (req, reply) => {
    const key = req.body?.key;
    if (typeof key !== "string") return sendError(reply, 400, "bad_request", "key must be a string", "key");
    const principal = keys.find(key);
    if (!principal) return sendError(reply, 401, "unauthorized", "unknown or revoked API key");
    const id = randomBytes(32).toString("base64url");
    const session = { principal, csrfToken: randomBytes(24).toString("base64url") };
    sessions.set(sha256(id), session);
    reply.setCookie(COOKIE, id, { httpOnly: true, sameSite: "strict", path: "/" });
    return session;
  });
  app.get(
    "/api/v1/session",
    async (req, reply) => sessionOf(req) ?? sendError(reply, 401, "unauthorized", "no session"),
  );
  app.delete("/api/v1/session", async (req, reply) => {
    const id = req.cookies[COOKIE];
    if (id) sessions.delete(sha256(id));
    reply.clearCookie(COOKIE, { path: "/" });
    return reply.code(204).send();
  });
}
