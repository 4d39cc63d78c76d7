/**
 * `tokenledger/fastify`: attribute every LLM call made while handling a request to its user, team, feature
 * and route.
 * @module
 */
import type { FastifyPluginCallback, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Attribution } from "tokenledger";
import { checkMiddlewareOptions, DEFAULT_HEADERS, type MiddlewareOptions } from "./options.js";
import { isPromiseLike, RequestAttribution, type MiddlewareStats } from "./request-attribution.js";

export type { MiddlewareStats } from "./request-attribution.js";
export { DEFAULT_HEADERS };

export type FastifyTokenLedgerOptions = MiddlewareOptions<FastifyRequest>;

declare module "fastify" {
  interface FastifyInstance {
    /** Added by the tokenledger plugin. */
    tokenLedger: { stats(): MiddlewareStats };
  }
}

// Keys Fastify itself passes to every plugin along with the user's options.
const FASTIFY_REGISTER_KEYS = ["prefix", "logLevel", "logSerializers"] as const;

const plugin: FastifyPluginCallback<FastifyTokenLedgerOptions> = (app, options, done) => {
  let requests: RequestAttribution<FastifyRequest>;
  try {
    requests = new RequestAttribution(
      checkMiddlewareOptions<FastifyRequest>(options, "tokenledger/fastify", FASTIFY_REGISTER_KEYS),
    );
  } catch (err) {
    done(err as Error);
    return;
  }
  app.decorate("tokenLedger", { stats: () => requests.stats() });

  // Headers and route at the very start, so every later hook and the handler run inside the scope.
  app.addHook("onRequest", function tokenLedgerOnRequest(req, _reply, next) {
    const attribution = requests.fromRequest(req.headers, () => {
      const route = req.routeOptions?.url;
      return route === undefined ? { method: req.method } : { method: req.method, route };
    });
    requests.enter(attribution, () => next());
  });

  // resolve() runs after onRequest/preParsing/preValidation hooks, where authentication sets `req.user`.
  if (requests.hasResolve) {
    app.addHook("preHandler", function tokenLedgerResolve(req, _reply, next) {
      const resolved = requests.resolve(req);
      if (isPromiseLike<Attribution | undefined>(resolved)) {
        resolved
          .then((extra) => requests.enter(extra, () => next()))
          .catch((err: unknown) => requests.internalError(err));
      } else {
        requests.enter(resolved, () => next());
      }
    });
  }
  done();
};

/**
 * Fastify plugin. Wrapped with `fastify-plugin`, so its hooks cover every route of the instance it is registered
 * on, sibling and child plugins included.
 *
 * @example
 * await app.register(tokenLedger, { resolve: (req) => ({ userId: req.user?.id }) });
 */
export const tokenLedger = fp(plugin, { fastify: "5.x", name: "tokenledger" });
export default tokenLedger;
