import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { DATABASE_SCHEMES, schemeFor, unsupportedScheme, urlScheme } from "./database-schemes.js";
import { redactSecrets } from "./redact.js";

export type DatabaseTarget =
  | { readonly kind: "sqlite"; readonly path: string; readonly source: string }
  | { readonly kind: "postgres"; readonly url: string; readonly source: string }
  | { readonly kind: "memory"; readonly source: string }
  /** A tokenledger server (`https://`, `tokenledger+https://`, `tokenledger+http://`): write-only remote ingest. */
  | { readonly kind: "http"; readonly url: string; readonly source: string };

/** `$XDG_DATA_HOME/tokenledger/ledger.db`, else `~/.local/share/tokenledger/ledger.db`. */
export function defaultSqlitePath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME)
      ? env.XDG_DATA_HOME
      : join(homedir(), ".local", "share");
  return join(base, "tokenledger", "ledger.db");
}

/**
 * Resolve which ledger to use, the same way for the SDK and the CLI:
 * an explicit value, then `TOKENLEDGER_DATABASE_URL`, then `DATABASE_URL`, then the default SQLite file.
 * Accepts `postgres://` / `postgresql://` URLs, `sqlite:` / `file:` URLs, `:memory:` / `memory:`, or a path.
 */
export function resolveDatabaseTarget(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
): DatabaseTarget {
  const candidates: [string | undefined, string][] = [
    [explicit, "option"],
    [env.TOKENLEDGER_DATABASE_URL, "TOKENLEDGER_DATABASE_URL"],
    [env.DATABASE_URL, "DATABASE_URL"],
  ];
  for (const [value, source] of candidates) {
    if (value === undefined || value.trim() === "") continue;
    // DATABASE_URL often points at the application's own (say MySQL) database: skip schemes we cannot use.
    if (source === "DATABASE_URL" && !isUsableUrl(value.trim())) continue;
    return parseDatabaseUrl(value.trim(), source);
  }
  return { kind: "sqlite", path: defaultSqlitePath(env), source: "default" };
}

/** A scheme-less value (a path) or one whose backend accepts it from the application's `DATABASE_URL`. */
function isUsableUrl(value: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  return (
    scheme === undefined || DATABASE_SCHEMES.some((s) => s.fromDatabaseUrl && s.schemes.includes(scheme))
  );
}

/** Parse one value with the backend its scheme selects (see database-schemes.ts); anything else is a file path. */
export function parseDatabaseUrl(value: string, source = "option"): DatabaseTarget {
  const scheme = urlScheme(value);
  const form = schemeFor(value, scheme);
  if (form) return form.parse(value, source);
  // A one-letter "scheme" is a Windows drive letter (`C:\\ledger.db`), so it falls through to a path.
  if (scheme && scheme.length > 1) throw unsupportedScheme(scheme, value, source);
  return { kind: "sqlite", path: resolve(value), source };
}

/** A URL safe to print: the password is masked. */
export function describeTarget(t: DatabaseTarget): string {
  if (t.kind === "sqlite") return `sqlite:${t.path}`;
  if (t.kind === "memory") return "memory";
  return maskDatabaseUrl(t.url);
}

/** Query parameters of a PostgreSQL URL that carry a secret (libpq `password`, `sslpassword`). */
const SECRET_PARAM = /^(ssl)?password$/i;

/**
 * `postgres://user:****@host/db?sslpassword=****`: a database URL safe to print or store. The one place
 * URLs are masked (CLI notices, adapter errors, warnings); any secret, however short, is replaced.
 */
export function maskDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "****";
    for (const key of [...u.searchParams.keys()]) if (SECRET_PARAM.test(key)) u.searchParams.set(key, "****");
    return u.toString();
  } catch {
    return redactSecrets(url);
  }
}
