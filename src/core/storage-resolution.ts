import type { DatabaseTarget } from "./database-url.js";
import { TokenLedgerConfigError } from "./errors.js";
import type { StorageAdapter } from "./storage.js";

export type StorageResolver = (target: DatabaseTarget) => Promise<StorageAdapter>;

// The core never imports a storage adapter; the package entry registers the resolver that loads
// `tokenledger/sqlite` or `tokenledger/postgres` lazily, so users install only the driver they use.
let resolver: StorageResolver | undefined;

export function setStorageResolver(fn: StorageResolver): void {
  resolver = fn;
}

/** An adapter is used as is; a factory is called lazily (first flush), so constructing a tracker does no I/O. */
export async function resolveStorageOption(
  option: StorageAdapter | (() => Promise<StorageAdapter>) | DatabaseTarget,
): Promise<StorageAdapter> {
  if (typeof option === "function") return option();
  if ("insertBatch" in option) return option;
  if (!resolver) {
    throw new TokenLedgerConfigError(
      `no storage resolver is registered for ${option.kind}; import TokenTracker from "tokenledger" or pass a StorageAdapter`,
    );
  }
  return resolver(option);
}
