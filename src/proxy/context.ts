import type { Dispatcher } from "undici";
import type { SafeLogger } from "../core/logger.js";
import type { ProxyFailover } from "./failover.js";
import type { ProxyOptions } from "./options.js";
import type { Route } from "./routes.js";
import type { Upstream } from "./upstreams.js";

/** What every request shares: built once by `createProxy`, read by each step of `serveRequest`. */
export interface ProxyContext {
  readonly options: ProxyOptions;
  readonly log: SafeLogger;
  readonly dispatcher: Dispatcher;
  readonly upstreamFor: (route: Route) => Upstream;
  readonly failover: ProxyFailover;
  readonly maxBody: number;
}
