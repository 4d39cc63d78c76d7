/**
 * `tokenledger/express`: attribute every LLM call made while handling a request to its user, team, feature
 * and route.
 * @module
 */
import type { IncomingMessage } from "node:http";
import type { Attribution } from "tokenledger";
import { checkMiddlewareOptions, DEFAULT_HEADERS, type MiddlewareOptions } from "./options.js";
import {
  isPromiseLike,
  mergeRequestAttribution,
  RequestAttribution,
  type MiddlewareStats,
} from "./request-attribution.js";

export type { MiddlewareStats } from "./request-attribution.js";
export { DEFAULT_HEADERS };

/** The parts of an Express request the middleware reads. */
export interface ExpressLikeRequest extends IncomingMessage {
  readonly baseUrl?: string;
  readonly route?: { readonly path?: unknown };
}

export type ExpressTokenLedgerOptions<Req extends IncomingMessage = ExpressLikeRequest> =
  MiddlewareOptions<Req>;

export interface TokenLedgerExpressMiddleware<Req extends IncomingMessage = ExpressLikeRequest> {
  (req: Req, res: unknown, next: (err?: unknown) => void): void;
  /** Request, dropped-header and resolve-error counters. */
  stats(): MiddlewareStats;
}

/**
 * Express middleware: runs the rest of the request inside a `withContext` scope built from headers,
 * `resolve(req)` and the route. Mount it after authentication when `resolve` reads `req.user`.
 *
 * @example
 * app.use(tokenLedger({ resolve: (req) => ({ userId: req.user?.id }) }));
 */
export function tokenLedger<Req extends IncomingMessage = ExpressLikeRequest>(
  options?: ExpressTokenLedgerOptions<Req>,
): TokenLedgerExpressMiddleware<Req> {
  const config = checkMiddlewareOptions<Req>(options, "tokenledger/express");
  const requests = new RequestAttribution<Req>(config);

  function tokenLedgerMiddleware(req: Req, _res: unknown, next: (err?: unknown) => void): void {
    const fromRequest = requests.fromRequest(req.headers, () => routeMetadata(req as ExpressLikeRequest));
    const resolved = requests.resolve(req);
    const proceed = (): void => next();
    if (isPromiseLike<Attribution | undefined>(resolved)) {
      resolved
        .then((extra) => requests.enter(mergeRequestAttribution(fromRequest, extra), proceed))
        .catch((err: unknown) => requests.internalError(err));
    } else {
      requests.enter(mergeRequestAttribution(fromRequest, resolved), proceed);
    }
  }
  return Object.assign(tokenLedgerMiddleware, { stats: () => requests.stats() });
}

/**
 * Express matches the route only after app-level middleware ran, so `route` is read lazily: by the time an LLM
 * call inside the handler is stored, `req.route` is known. The request is released once the route is read.
 * A copy of the metadata taken before routing (a `withContext` opened around the whole app, outside this
 * middleware) keeps no route; mount the middleware on the router or route to have it from the start.
 */
function routeMetadata(req: ExpressLikeRequest): Record<string, unknown> {
  let pending: ExpressLikeRequest | undefined = req;
  let route: string | undefined;
  const metadata: Record<string, unknown> = { method: req.method };
  Object.defineProperty(metadata, "route", {
    enumerable: true,
    get(): string | undefined {
      if (pending) {
        route = routePattern(pending);
        if (route !== undefined) pending = undefined;
      }
      return route;
    },
  });
  return metadata;
}

function routePattern(req: ExpressLikeRequest): string | undefined {
  const path = req.route?.path;
  if (path === undefined || path === null) return undefined;
  const pattern = Array.isArray(path) ? path.map(String).join("|") : String(path);
  return `${req.baseUrl ?? ""}${pattern}`;
}
