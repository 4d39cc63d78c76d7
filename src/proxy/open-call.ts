import type { IncomingMessage } from "node:http";
import { LlmCall } from "../../interceptors/_shared/call.js";
import type { Attribution } from "../core/attribution.js";
import type { UsageSink } from "../../interceptors/_shared/types.js";
import { headerValue } from "./headers.js";
import type { Route } from "./routes.js";

export interface CallFacts {
  readonly route: Route;
  readonly path: string;
  readonly provider: string;
  readonly requestedModel: string | null;
  readonly streamed: boolean;
  readonly injected: boolean;
}

/**
 * The ledger call for a tracked route, recording under the request's attribution. Free routes (models,
 * count_tokens) get none.
 */
export function openCall(
  sink: UsageSink,
  req: IncomingMessage,
  attribution: Attribution,
  f: CallFacts,
): LlmCall | undefined {
  if (f.route.kind === "free") return undefined;
  // Credentials are passed to LlmCall only so a stored error message that echoes them gets them removed.
  const secrets = {
    apiKey: headerValue(req.headers, "x-api-key"),
    // Without the scheme: an upstream that echoes a key echoes the bare token.
    authToken: headerValue(req.headers, "authorization")?.replace(/^\s*(Bearer|Basic)\s+/i, ""),
  };
  return new LlmCall(attributed(sink, attribution), {
    provider: f.provider,
    operation: f.route.operation,
    requestedModel: f.requestedModel,
    streamed: f.streamed,
    client: secrets,
    metadata: {
      proxy: true,
      ...(f.route.kind === "unrecognised" ? { path: f.path } : {}),
      ...(f.injected ? { include_usage_injected: true } : {}),
    },
  });
}

/**
 * The sink with this request's attribution on what it records. Passed explicitly instead of through an
 * AsyncLocalStorage scope: on Node 20 the first `run()` turns on async_hooks for the whole process, a cost on
 * every promise and tick of every request (about 5 % of the proxy's CPU in a profile of bench/proxy.ts' loop).
 */
function attributed(sink: UsageSink, attribution: Attribution): UsageSink {
  return {
    record: (input) => sink.record({ ...input, attribution }),
    reportInternalError: (stage, err) => sink.reportInternalError(stage, err),
    reportAnomaly: (message) => sink.reportAnomaly(message),
  };
}
