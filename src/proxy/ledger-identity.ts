import { createHash } from "node:crypto";
import { TokenLedgerConfigError } from "../core/errors.js";
import type { Attribution } from "../core/attribution.js";
import { keyFromToken, toPrincipal } from "../server/auth/authenticate.js";
import type { AccessStore } from "../server/ports.js";
import type { Principal, Role } from "../server/schemas/principal.js";
import type { ResolveIdentity } from "./identity.js";

/** How long a resolved key is trusted before the ledger is asked again: a revocation bites within this. */
export const KEY_CACHE_MS = 10_000;
const CACHE_MAX = 1000;

/**
 * Roles whose keys may send traffic through the proxy and exports to its OTLP receiver: every role that may
 * write (`ingest`, `member`, `manager`, `admin`). A `viewer` key is read-only on the server, so it is refused
 * here too: a leaked dashboard key must not be able to create spend rows in someone's name.
 */
export const TRAFFIC_ROLES: readonly Role[] = ["ingest", "member", "manager", "admin"];

export interface LedgerIdentityOptions {
  /** Clock (tests). */
  readonly now?: () => number;
  /** Cache window in ms, 0-10000; default 10000. Shorter makes revocation bite sooner at one lookup per window. */
  readonly cacheMs?: number;
}

type Cached = { at: number; identity: Promise<Attribution | undefined> };

/**
 * The caller's identity from one of the ledger's API keys (`tokenledger keys create`), sent whole as
 * `x-tokenledger-key: tl_<prefix>_<secret>` or `/k/tl_.../v1/...`: the key's user, its single team or
 * project scope, and `metadata.apiKeyId` (as the server's ingest records it). Unknown, revoked or `viewer` keys →
 * undefined. One ledger lookup per key per window, however many requests arrive at once (they share it).
 */
export function ledgerIdentities(access: AccessStore, options: LedgerIdentityOptions = {}): ResolveIdentity {
  const now = options.now ?? Date.now;
  const windowMs = cacheWindow(options.cacheMs);
  // Keyed by a hash of the token: the secret itself is never kept.
  const cache = new Map<string, Cached>();
  return (token) => {
    const h = createHash("sha256").update(token).digest("hex");
    const hit = cache.get(h);
    if (hit && now() - hit.at < windowMs) return hit.identity;
    const identity = lookUp(access, token);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(h, { at: now(), identity });
    return identity;
  };
}

async function lookUp(access: AccessStore, token: string): Promise<Attribution | undefined> {
  try {
    const p = toPrincipal(await keyFromToken(access, token));
    return TRAFFIC_ROLES.includes(p.role) ? principalAttribution(p) : undefined;
  } catch {
    return undefined;
  }
}

function cacheWindow(ms: number | undefined): number {
  if (ms === undefined) return KEY_CACHE_MS;
  if (!Number.isFinite(ms) || ms < 0 || ms > KEY_CACHE_MS)
    throw new TokenLedgerConfigError(
      `ledgerIdentities cacheMs ${ms} is out of range: 0-${KEY_CACHE_MS} ms (a revoked key must stop working within 10 s)`,
    );
  return ms;
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
