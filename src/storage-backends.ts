import { schemesOf } from "./core/database-schemes.js";
import type { DatabaseTarget } from "./core/database-url.js";
import type { StorageAdapter } from "./core/storage.js";

/**
 * The storage backend registry, shaped like the interceptor registry: one entry per backend, keyed by the URL
 * schemes that select it. The resolver and the CLI's `--db` help read it.
 *
 * Adding a backend touches: its folder `adapters/<name>/` (index.ts is picked up as the tsup entry, vitest alias
 * and tsconfig path `tokenledger/<name>` by convention, see package-entries.ts), an entry here (its `open` imports
 * the package subpath lazily, so the driver stays an optional peer), its package.json export (JSON, not
 * generated: test/contract/backend-registry.test.ts names it when missing), and its URL schemes and parser in
 * src/core/database-schemes.ts (pure data the core's URL parser reads; `schemesOf` copies them here) plus its
 * `DatabaseTarget` variant in src/core/database-url.ts.
 */
export interface StorageBackend {
  /** `DatabaseTarget.kind` this backend opens. */
  readonly kind: DatabaseTarget["kind"];
  /** URL schemes (without `:`) that select it, from src/core/database-schemes.ts. */
  readonly schemes: readonly string[];
  /** Package subpath of the adapter entry, and the source tsup builds it from. */
  readonly subpath: `tokenledger/${string}`;
  readonly source: string;
  /** How `--db` help names it; null keeps it out of the help (`:memory:` is for tests). */
  readonly help: string | null;
  /** Load the adapter entry on demand and open the target. */
  open(target: DatabaseTarget): Promise<StorageAdapter>;
}

export const STORAGE_BACKENDS: readonly StorageBackend[] = [
  // Order is the order `--db` help lists them in.
  {
    ...schemesOf("postgres"),
    subpath: "tokenledger/postgres",
    source: "adapters/postgres/index.ts",
    help: "postgres:// URL",
    async open(target) {
      const { postgresStorage } = await import("tokenledger/postgres");
      return postgresStorage({
        connectionString: (target as Extract<DatabaseTarget, { kind: "postgres" }>).url,
      });
    },
  },
  {
    ...schemesOf("sqlite"),
    subpath: "tokenledger/sqlite",
    source: "adapters/sqlite/index.ts",
    help: "sqlite:/file path",
    async open(target) {
      const { sqliteStorage } = await import("tokenledger/sqlite");
      return sqliteStorage({ path: (target as Extract<DatabaseTarget, { kind: "sqlite" }>).path });
    },
  },
  {
    ...schemesOf("memory"),
    subpath: "tokenledger/memory",
    source: "adapters/memory/index.ts",
    help: null,
    async open() {
      const { memoryStorage } = await import("tokenledger/memory");
      return memoryStorage();
    },
  },
  {
    ...schemesOf("http"),
    subpath: "tokenledger/http",
    source: "adapters/http/index.ts",
    help: "tokenledger+https:// server URL (write-only)",
    async open(target) {
      // Write-only remote ingest; the key comes from TOKENLEDGER_API_KEY (httpStorage({ apiKey }) sets it in code).
      const { httpStorage } = await import("tokenledger/http");
      return httpStorage({ url: (target as Extract<DatabaseTarget, { kind: "http" }>).url });
    },
  },
];

/** The `--db` help's list of backends ("postgres:// URL, sqlite:/file path"). */
export function backendHelp(): string {
  return STORAGE_BACKENDS.flatMap((b) => (b.help ? [b.help] : [])).join(", ");
}

/** Every URL scheme some backend accepts. */
export const BACKEND_SCHEMES: readonly string[] = STORAGE_BACKENDS.flatMap((b) => b.schemes);
