import type { ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import type { LlmCall } from "../../interceptors/_shared/call.js";
import { clientResponseHeaders } from "./headers.js";
import { pump, type PumpEnd } from "./pump.js";
import { recordAnswer } from "./record.js";
import type { Route } from "./routes.js";
import { tapFor } from "./tap.js";
import { EMPTY_OUTCOME } from "./tap-types.js";

export interface RelayFacts {
  readonly route: Route;
  readonly call: LlmCall | undefined;
  readonly requestReadable: boolean;
  readonly streamed: boolean;
  readonly abort: AbortController;
  /** Provider and `metadata` the answering failover target adds to the event. */
  readonly provider?: string;
  readonly extraMetadata?: Readonly<Record<string, unknown>>;
}

/**
 * Sends the upstream's status, headers and body to the client with backpressure, reading usage from a tee'd
 * copy, then records the call. Resolves with how the body ended.
 */
export async function relayAnswer(
  res: ServerResponse,
  answer: Dispatcher.ResponseData,
  f: RelayFacts,
): Promise<PumpEnd> {
  const upHeaders = answer.headers;
  res.writeHead(answer.statusCode, clientResponseHeaders(upHeaders));
  // Headers go out with the first body chunk when it is already here (one write instead of two, ~8 % of the
  // proxy's CPU in bench/proxy.ts); otherwise on their own one loop turn later, so an idle upstream's headers
  // still reach the client at once.
  let bodyStarted = false;
  const flushHeaders = setImmediate(() => {
    if (!bodyStarted && !res.destroyed) res.flushHeaders();
  });
  answer.body.on("error", () => {}); // errors are read through pump's result
  const call = f.call;
  const tap = call
    ? tapFor(f.route.usage, first(upHeaders["content-type"]), first(upHeaders["content-encoding"]), () =>
        call.firstToken(),
      )
    : undefined;
  const end = await pump(answer.body, res, (c) => {
    bodyStarted = true;
    tap?.write(c);
  });
  clearImmediate(flushHeaders);
  if (end !== "end") {
    f.abort.abort();
    if (!res.writableFinished) res.destroy();
  }
  if (!call || !tap) return end;
  const seen = await tap.finish().catch(() => ({ ...EMPTY_OUTCOME, malformed: true }));
  recordAnswer(call, f.route, f.requestReadable, {
    status: answer.statusCode,
    requestId: first(upHeaders["request-id"]) ?? first(upHeaders["x-request-id"]) ?? null,
    streamed: f.streamed,
    end,
    seen,
    ...(f.provider ? { provider: f.provider } : {}),
    ...(f.extraMetadata ? { metadata: f.extraMetadata } : {}),
  });
  return end;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
