import type {} from "@fastify/cookie";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ApiError } from "../errors.js";
import type { AccessStore, ApiKeyRow } from "../ports.js";
import { ROLES, ScopeSchema, type Principal, type Role } from "../schemas/principal.js";
import { hashSecret, parseToken, sameHash } from "./key-format.js";

export const SESSION_COOKIE = "tl_session";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated caller; null on public routes. */
    principal: Principal | null;
    /** The session's CSRF token when the caller came with the session cookie. */
    sessionCsrf: string | null;
  }
}

/** A stored key as the caller's identity; a key row that no longer parses (edited by hand) is refused. */
export function toPrincipal(k: ApiKeyRow): Principal {
  const scope = ScopeSchema.safeParse(safeJson(k.scope));
  if (!scope.success || !(ROLES as readonly string[]).includes(k.role))
    throw new ApiError("unauthorized", "this API key's stored role or scope is invalid; create a new key");
  return { id: k.id, name: k.name, role: k.role as Role, scope: scope.data, userId: k.userId };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return null;
  }
}

/** Resolve `tl_<prefix>_<secret>` to its live key; every failure is the same 401 (no oracle for which part was wrong). */
export async function keyFromToken(access: AccessStore, token: string): Promise<ApiKeyRow> {
  const parts = parseToken(token.trim());
  const key = parts ? await access.keyByPrefix(parts.prefix) : null;
  if (!parts || !key || !sameHash(key.hash, hashSecret(parts.secret)))
    throw new ApiError("unauthorized", "invalid API key");
  if (key.revokedAt !== null) throw new ApiError("unauthorized", "this API key has been revoked");
  return key;
}

function isPublic(req: FastifyRequest): boolean {
  const path = req.url.split("?")[0]!;
  if (!path.startsWith("/api/")) return true; // health checks and the dashboard's static files
  return (
    (path === "/api/v1/openapi.json" && req.method === "GET") ||
    (path === "/api/v1/session" && req.method === "POST")
  );
}

/**
 * Authenticate every /api request before its body is read: a Bearer key, or the dashboard's session cookie
 * (whose writes also need the x-csrf-token header). Revoked keys and their sessions stop working at once.
 */
export function installAuthentication(app: FastifyInstance, access: AccessStore): void {
  app.decorateRequest("principal", null);
  app.decorateRequest("sessionCsrf", null);
  app.addHook("onRequest", async (req) => {
    if (isPublic(req)) return;
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw new ApiError("unauthorized", "Authorization must be `Bearer tl_<prefix>_<secret>`");
      req.principal = toPrincipal(await keyFromToken(access, m[1]!));
      return;
    }
    const cookie = req.cookies[SESSION_COOKIE];
    if (!cookie)
      throw new ApiError("unauthorized", "send an API key (Authorization: Bearer tl_...) or log in");
    const now = Date.now();
    const session = await access.session(hashSecret(cookie), now);
    const key = session ? await access.keyById(session.keyId) : null;
    if (!session || !key || key.revokedAt !== null)
      throw new ApiError("unauthorized", "the session has expired or was revoked; log in again");
    if (UNSAFE.has(req.method)) {
      const sent = req.headers["x-csrf-token"];
      if (typeof sent !== "string" || !sameText(sent, session.csrf))
        throw new ApiError(
          "forbidden",
          "missing or wrong x-csrf-token header for a cookie-authenticated write",
        );
    }
    req.principal = toPrincipal(key);
    req.sessionCsrf = session.csrf;
  });
}

function sameText(a: string, b: string): boolean {
  return sameHash(hashSecret(a), hashSecret(b));
}

/** The caller, or 401 (a route that needs one was reached without). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new ApiError("unauthorized", "authentication required");
  return req.principal;
}

/** 403 unless the caller's role is one of `roles`. */
export function requireRole(req: FastifyRequest, roles: readonly Role[]): Principal {
  const p = principalOf(req);
  if (!roles.includes(p.role))
    throw new ApiError(
      "forbidden",
      `role ${p.role} may not ${req.method} ${req.routeOptions.url ?? req.url}`,
    );
  return p;
}
