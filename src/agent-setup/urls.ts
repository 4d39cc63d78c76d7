import { TokenLedgerConfigError } from "../core/errors.js";

export const DEFAULT_PROXY_URL = "http://127.0.0.1:4000";

/** The proxy's origin (scheme, host, port, any path prefix such as `/k/<key-id>`), without a trailing `/` or `/v1`. */
export function proxyOrigin(raw: string | undefined): string {
  const value = (raw ?? DEFAULT_PROXY_URL).trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TokenLedgerConfigError(`--proxy-url "${value}" is not a URL (e.g. ${DEFAULT_PROXY_URL})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TokenLedgerConfigError(`--proxy-url "${value}" must be http:// or https://`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new TokenLedgerConfigError(
      `--proxy-url "${value}" must not carry a query, fragment or credentials`,
    );
  }
  const path = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
  return `${url.origin}${path}`;
}
