import { resolve } from "node:path";
import type { DatabaseTarget } from "./database-url.js";
import { TokenLedgerConfigError } from "./errors.js";
import { redactSecrets } from "./redact.js";
import { isServerUrl, parseServerUrl } from "./server-url.js";

type Kind = DatabaseTarget["kind"];

/**
 * How one storage backend's URLs look: the schemes that select it and how such a URL becomes a `DatabaseTarget`.
 * This is the pure half of the backend registry (src/storage-backends.ts takes its `kind` and `schemes` from
 * here). It lives in the core because `parseDatabaseUrl` is core and the core may not import the registry:
 * the registry's loaders name the adapter packages, and the storage kit (hence every adapter bundle) imports
 * database-url.ts.
 */
export interface DatabaseScheme<K extends Kind = Kind> {
  readonly kind: K;
  /** URL schemes (lowercase, without `:`) that select this backend. */
  readonly schemes: readonly string[];
  /** Values that select it although their scheme alone does not (`:memory:`, a server URL with leading blanks). */
  matches?(value: string): boolean;
  /**
   * Whether a generic `DATABASE_URL` with one of these schemes is ours to use. That variable usually belongs to
   * the application, so an https API address there is the app's, not a tokenledger server.
   */
  readonly fromDatabaseUrl: boolean;
  /** `source` names where the value came from (`--db`, `storage`, an env var) so errors say what to fix. */
  parse(value: string, source: string): Extract<DatabaseTarget, { kind: K }>;
}

/** The scheme of `value`, lowercase (`postgres` for `POSTGRES://...`), or undefined for a plain path. */
export function urlScheme(value: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
}

/** The one "unsupported scheme" error, also used by parsers that accept only some spellings of their scheme. */
export function unsupportedScheme(scheme: string, value: string, source: string): TokenLedgerConfigError {
  return new TokenLedgerConfigError(
    `${source}: unsupported database scheme "${scheme}:" in "${redactSecrets(value)}" (use postgres://, sqlite:, a file path, or https:// for a tokenledger server)`,
  );
}

const postgres: DatabaseScheme<"postgres"> = {
  kind: "postgres",
  schemes: ["postgres", "postgresql"],
  fromDatabaseUrl: true,
  parse(value, source) {
    try {
      const u = new URL(value);
      // libpq allows the host in the query (`postgres:///db?host=/run/postgresql`) for Unix sockets.
      if (!u.hostname && !u.searchParams.get("host")) throw new Error("no host");
    } catch {
      throw new TokenLedgerConfigError(
        `${source}: "${redactSecrets(value)}" is not a valid PostgreSQL URL (expected postgres://user@host:5432/db)`,
      );
    }
    return { kind: "postgres", url: value, source };
  },
};

const sqlite: DatabaseScheme<"sqlite"> = {
  kind: "sqlite",
  schemes: ["sqlite", "file"],
  fromDatabaseUrl: true,
  parse(value, source) {
    const path = value.replace(/^(sqlite|file):(\/\/)?/i, "");
    if (!path) throw new TokenLedgerConfigError(`${source}: "${value}" names no SQLite file path`);
    // A relative path resolves against the working directory at parse time, so the target names one file.
    return { kind: "sqlite", path: resolve(path), source };
  },
};

const memory: DatabaseScheme<"memory"> = {
  kind: "memory",
  schemes: ["memory"],
  matches: (value) => value === ":memory:",
  fromDatabaseUrl: true,
  parse(value, source) {
    // Only the bare forms: text after `memory:` is refused rather than silently ignored.
    if (value === ":memory:" || value === "memory:" || value === "memory://")
      return { kind: "memory", source };
    throw unsupportedScheme("memory", value, source);
  },
};

const http: DatabaseScheme<"http"> = {
  kind: "http",
  schemes: ["https", "tokenledger+https", "tokenledger+http"],
  // Also claims plain `http://` (isServerUrl does), so the server parser can say why it is refused: the API key
  // would travel in clear.
  matches: isServerUrl,
  fromDatabaseUrl: false,
  parse(value, source) {
    if (!isServerUrl(value)) throw unsupportedScheme(urlScheme(value) ?? "", value, source); // `https:host` without `//`
    parseServerUrl(value, source); // validated now: a bad server URL is a setup-time error naming its source
    return { kind: "http", url: value, source };
  },
};

/** One entry of the table, whatever its kind (a union: `parse`'s return type pins each entry to its kind). */
export type AnyDatabaseScheme = { [K in Kind]: DatabaseScheme<K> }[Kind];

/** Every backend's URL forms. Scheme-less values that match none are SQLite file paths. */
export const DATABASE_SCHEMES: readonly AnyDatabaseScheme[] = [postgres, sqlite, memory, http];

/** The URL forms of one backend kind, for the registry entry that opens it. */
export function schemesOf(kind: Kind): Pick<AnyDatabaseScheme, "kind" | "schemes"> {
  const found = DATABASE_SCHEMES.find((s) => s.kind === kind);
  if (!found) throw new Error(`no URL scheme table entry for storage kind "${kind}"`);
  return { kind: found.kind, schemes: found.schemes };
}

/** Which table entry parses `value` (its `scheme`, lowercase, when it has one). */
export function schemeFor(value: string, scheme: string | undefined): AnyDatabaseScheme | undefined {
  return DATABASE_SCHEMES.find(
    (s) => s.matches?.(value) || (scheme !== undefined && s.schemes.includes(scheme)),
  );
}
