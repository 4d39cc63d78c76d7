import type { Attribution } from "../core/attribution.js";

/**
 * Maps a tokenledger key id (from `x-tokenledger-key` or a `/k/<key-id>/v1/...` path) to who is calling.
 * `undefined`: the key is unknown (the proxy answers 401). The server's stored API keys plug in here.
 */
export type ResolveIdentity = (keyId: string) => Attribution | undefined | Promise<Attribution | undefined>;

/** A fixed key id → attribution map (from the config file or `--key id=user:...`). */
export function staticIdentities(map: Readonly<Record<string, Attribution>>): ResolveIdentity {
  const copy = new Map(Object.entries(map));
  return (keyId) => copy.get(keyId);
}
