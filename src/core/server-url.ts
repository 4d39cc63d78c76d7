import { TokenLedgerConfigError } from "./errors.js";
import { redactSecrets } from "./redact.js";

/**
 * A tokenledger server address, as the remote storage backend and `report --server` accept it:
 * - `tokenledger+https://host[:port][/base]` and plain `https://...`: TLS, the API key is protected in transit;
 * - `tokenledger+http://host[:port][/base]`: plaintext, an explicit opt-in (a loopback server, or behind a proxy
 *   on the same host). Plain `http://` is refused: a bare http URL sends the key in clear text without the
 *   user ever saying so, and `http://` is too easily a typo for the TLS address.
 * The key never goes in the URL: userinfo (`user:pass@`) is refused, so it cannot leak into logs or notices.
 */
export interface ServerUrl {
  /** `https://host:port/base` (no trailing slash): what requests are built on. */
  readonly baseUrl: string;
  /** Plaintext HTTP (only through `tokenledger+http://`). */
  readonly insecure: boolean;
  /** Loopback host (127.0.0.0/8, ::1, localhost). */
  readonly loopback: boolean;
}

const SERVER_SCHEMES = ["tokenledger+http", "tokenledger+https", "https", "http"] as const;

/** True when `value` names a tokenledger server rather than a database. */
export function isServerUrl(value: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value.trim())?.[1]?.toLowerCase();
  return scheme !== undefined && (SERVER_SCHEMES as readonly string[]).includes(scheme);
}

/**
 * Parse and check a server URL. `option` names where the value came from (`--server`, `storage`,
 * `TOKENLEDGER_DATABASE_URL`) so the error tells the user what to fix.
 */
export function parseServerUrl(value: string, option: string): ServerUrl {
  const raw = value.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === "http") {
    throw new TokenLedgerConfigError(
      `${option}: "${redactSecrets(raw)}" is plain http, which would send the API key unencrypted. ` +
        `Use https://, or tokenledger+http:// to opt in to plaintext (a server on this machine or behind a local proxy).`,
    );
  }
  if (scheme === undefined || !(SERVER_SCHEMES as readonly string[]).includes(scheme)) {
    throw new TokenLedgerConfigError(
      `${option}: "${redactSecrets(raw)}" is not a tokenledger server URL (expected https://host, tokenledger+https://host or tokenledger+http://host)`,
    );
  }
  const insecure = scheme === "tokenledger+http";
  let u: URL;
  try {
    u = new URL(raw.replace(/^tokenledger\+/i, ""));
  } catch {
    throw new TokenLedgerConfigError(`${option}: "${redactSecrets(raw)}" is not a valid URL`);
  }
  if (u.username || u.password) {
    throw new TokenLedgerConfigError(
      `${option}: the server URL must not carry credentials (user:password@); ` +
        `give the API key with the apiKey option or the TOKENLEDGER_API_KEY environment variable`,
    );
  }
  if (!u.hostname) throw new TokenLedgerConfigError(`${option}: "${raw}" names no host`);
  if (u.search || u.hash) {
    throw new TokenLedgerConfigError(
      `${option}: the server URL takes no query string or fragment (got "${redactSecrets(u.search + u.hash)}"); ` +
        `give the API key with the apiKey option or TOKENLEDGER_API_KEY`,
    );
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || host === "::1" || /^127\./.test(host);
  const baseUrl = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
  return { baseUrl, insecure, loopback };
}

/** The API key: the explicit option, else `TOKENLEDGER_API_KEY`. The error names both; the key is never shown. */
export function resolveApiKey(
  explicit: string | undefined,
  option: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const key = (explicit ?? env.TOKENLEDGER_API_KEY ?? "").trim();
  if (key === "") {
    throw new TokenLedgerConfigError(
      `no API key for the tokenledger server: set the ${option} option or the TOKENLEDGER_API_KEY environment variable ` +
        `(an ingest key to send usage, a viewer key or better to read reports; create one with \`tokenledger keys create\`)`,
    );
  }
  if (/\s/.test(key)) {
    throw new TokenLedgerConfigError(
      `the API key given by the ${option} option or TOKENLEDGER_API_KEY contains whitespace; expected tl_<prefix>_<secret>`,
    );
  }
  return key;
}
