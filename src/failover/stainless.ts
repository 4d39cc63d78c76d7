import { watchStream } from "./body-watch.js";
import type { AttemptContext, AttemptResult, FailoverGroup, LiveTarget } from "./group.js";

/**
 * The request seam shared by the Stainless-generated SDKs (openai 5–6, @anthropic-ai/sdk and its Bedrock and
 * Vertex clients): every resource method goes `request()` → `makeRequest(options, retries)` → response props,
 * and the SDK builds its own `APIPromise` / `Stream` from those props. Typed structurally, so any major fits.
 */
export interface StainlessClient {
  makeRequest(
    options: unknown,
    retriesRemaining: number | null,
    retryOfRequestLogID?: string,
  ): Promise<ResponseProps>;
  withOptions(options: { maxRetries: number }): StainlessClient;
}

export interface ResponseProps {
  readonly response: Response;
  readonly options: RequestOptions;
  readonly [key: string]: unknown;
}

export interface RequestOptions {
  readonly body?: unknown;
  readonly stream?: boolean;
  readonly signal?: AbortSignal | null;
  readonly [key: string]: unknown;
}

/** The caller's request for one target: its model, no SDK retries (only one retry loop runs), our signal. */
export function optionsFor(options: RequestOptions, target: LiveTarget, signal: AbortSignal): RequestOptions {
  const model = target.spec.model;
  const body =
    model && options.body && typeof options.body === "object" && !Array.isArray(options.body)
      ? { ...(options.body as Record<string, unknown>), model }
      : options.body;
  return { ...options, body, maxRetries: 0, signal };
}

/** Sends one attempt through a target client's own `makeRequest`, keeping a stream's outcome for later. */
export function stainlessAttempt(
  group: FailoverGroup,
  options: RequestOptions,
): (ctx: AttemptContext) => Promise<AttemptResult<ResponseProps>> {
  return async (ctx) => {
    const client = ctx.target.spec.client as StainlessClient;
    const props = await client.makeRequest(optionsFor(options, ctx.target, ctx.signal), 0, undefined);
    const sse = (props.response.headers.get("content-type") ?? "").includes("text/event-stream");
    if (!options.stream && !sse) return { value: props, settled: true };
    const response = await watchStream(props.response, group.format, ctx.firstByte, (end) => {
      const cancelled = end.kind === "cancelled" || options.signal?.aborted === true;
      group.settle(ctx.target, cancelled ? "cancelled" : end.kind);
    });
    return { value: { ...props, response }, settled: false };
  };
}

const OPERATIONS: readonly (readonly [RegExp, string])[] = [
  [/\/chat\/completions$/, "chat"],
  [/\/completions$/, "completion"],
  [/\/responses$/, "responses"],
  [/\/embeddings$/, "embeddings"],
  [/\/messages$/, "messages"],
];

/** The ledger's operation name for a request path (`/chat/completions` → `chat`). */
export function operationOf(path: unknown): string {
  const p = typeof path === "string" ? (path.split("?")[0] ?? "") : "";
  for (const [re, op] of OPERATIONS) if (re.test(p)) return op;
  return "request";
}
