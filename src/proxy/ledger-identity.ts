import { createHash } from "node:crypto";
import type { Attribution } from "../core/attribution.js";
import { keyFromToken, toPrincipal } from "../server/auth/authenticate.js";
import type { AccessStore } from "../server/ports.js";
import type { Principal } from "../server/schemas/principal.js";
import type { ResolveIdentity } from "./identity.js";

/** How long a resolved key is trusted before the ledger is asked again (bounds how late a revocation bites). */
const CACHE_MS = 10_000;
const CACHE_MAX = 1000;

/**
 * The caller's identity from one of the ledger's API keys (`tokenledger keys create`), sent whole as
 * `x-tokenledger-key: tl_<prefix>_<secret>` or `/k/tl_.../v1/...`: the key's user, its single team or
 * project scope, and `metadata.apiKeyId` (as the server's ingest records it). Unknown or revoked keys → undefined.
 */
export function ledgerIdentities(access: AccessStore, now: () => number = Date.now): ResolveIdentity {
  // Keyed by a hash of the token: the secret itself is never kept.
  const cache = new Map<string, { at: number; identity: Attribution | undefined }>();
  return async (token) => {
    const h = createHash("sha256").update(token).digest("hex");
    const hit = cache.get(h);
    if (hit && now() - hit.at < CACHE_MS) return hit.identity;
    let identity: Attribution | undefined;
    try {
      identity = principalAttribution(toPrincipal(await keyFromToken(access, token)));
    } catch {
      identity = undefined;
    }
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(h, { at: now(), identity });
    return identity;
  };
}

export function principalAttribution(p: Principal): Attribution {
  const single = (ids: readonly string[]): string | undefined => (ids.length === 1 ? ids[0] : undefined);
  const teamId = p.scope.kind === "teams" ? single(p.scope.ids) : undefined;
  const projectId = p.scope.kind === "projects" ? single(p.scope.ids) : undefined;
  return {
    ...(p.userId ? { userId: p.userId } : {}),
    ...(teamId ? { teamId } : {}),
    ...(projectId ? { projectId } : {}),
    metadata: { apiKeyId: p.id },
  };
}

/** The static `--key` map first, then the ledger's keys. */
export function firstIdentity(...resolvers: readonly ResolveIdentity[]): ResolveIdentity {
  return async (keyId) => {
    for (const r of resolvers) {
      const found = await r(keyId);
      if (found) return found;
    }
    return undefined;
  };
}
