import type { IncomingMessage } from "node:http";
import { headerValue } from "./headers.js";
import { matchRoute, type Route } from "./routes.js";

export interface RequestTarget {
  /** Path without query and without any `/k/<key>` prefix. */
  readonly path: string;
  /** `?...` or empty. */
  readonly query: string;
  /** The tokenledger key from `x-tokenledger-key` or the `/k/<key>/` prefix (the prefix wins). */
  readonly keyId: string | undefined;
  readonly route: Route;
}

const KEY_PREFIX = /^\/k\/([^/]{1,200})(\/v1(?:\/.*)?)$/;

/** Splits a request URL into route, query and tokenledger key (agents that cannot set headers use the path). */
export function requestTarget(req: IncomingMessage): RequestTarget {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  let path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? "" : url.slice(q);
  const anthropicClient =
    req.headers["anthropic-version"] !== undefined || req.headers["x-api-key"] !== undefined;
  let keyId = headerValue(req.headers, "x-tokenledger-key");
  const prefixed = KEY_PREFIX.exec(path);
  if (prefixed) {
    keyId = safeDecode(prefixed[1]!);
    path = prefixed[2]!;
  }
  return { path, query, keyId, route: matchRoute(req.method ?? "GET", path, anthropicClient) };
}

/** A `%`-escaped path segment; a malformed escape is kept as is (and then matches no key). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
