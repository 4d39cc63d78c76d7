import type { UsageSink } from "../_shared/types.js";
import { guarded } from "../_shared/guard.js";
import { asRecord } from "./message-usage.js";

export interface ResponseHooks {
  /** The request failed: an HTTP error answer (after the SDK's retries), a connection error, an abort, a bad body. */
  onError(err: unknown): void;
  /** The SDK parsed the body: a `Message`, or its `Stream` for `stream: true`. */
  onParsed(data: unknown, response: unknown): void;
  /** The caller took the raw `Response` with `asResponse()` and the SDK never parsed the body. */
  onRawResponse(response: unknown): void;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

/** The SDK's `APIPromise` fields we hook (plain own properties in every 0.x and 1.x build). */
interface ApiPromiseParts {
  responsePromise?: unknown;
  parseResponse?: unknown;
  asResponse?: unknown;
}

/**
 * Observe an `APIPromise` without changing it or what it does. The SDK parses the body lazily, only when the
 * caller awaits it (or `withResponse()`), so we never subscribe to the promise itself, which would read the body
 * early and break `asResponse()` readers with "Body has already been read". Instead:
 * - failures: a handler on the unparsed response promise (reading no body);
 * - results: the instance's own `parseResponse` function, called by the SDK exactly when it parses;
 * - raw readers: `asResponse()` on the instance, reported only when no parse has started.
 * Returns false when the object does not have that shape (then nothing was changed).
 */
export function observeApiPromise(promise: unknown, hooks: ResponseHooks, sink: UsageSink): boolean {
  if (promise === null || typeof promise !== "object") return false;
  const parts = promise as ApiPromiseParts;
  const responsePromise = parts.responsePromise as PromiseLike<unknown> | undefined;
  const parse = parts.parseResponse;
  const asResponse = parts.asResponse;
  if (
    typeof responsePromise?.then !== "function" ||
    typeof parse !== "function" ||
    typeof asResponse !== "function"
  ) {
    return false;
  }
  let parsing = false;

  responsePromise.then(undefined, (err: unknown) =>
    guarded(sink, "anthropic.response-error", () => hooks.onError(err)),
  );

  parts.parseResponse = function parseResponse(this: unknown, ...args: unknown[]): unknown {
    parsing = true;
    const response = asRecord(args[1]).response;
    let parsed: unknown;
    try {
      parsed = (parse as Method).apply(this, args);
    } catch (err) {
      guarded(sink, "anthropic.parse-error", () => hooks.onError(err));
      throw err;
    }
    return Promise.resolve(parsed).then(
      (data) => {
        guarded(sink, "anthropic.parsed", () => hooks.onParsed(data, response));
        return data;
      },
      (err: unknown) => {
        guarded(sink, "anthropic.parse-error", () => hooks.onError(err));
        throw err;
      },
    );
  };

  Object.defineProperty(promise, "asResponse", {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function asRawResponse(this: unknown): unknown {
      const raw = (asResponse as Method).call(this) as Promise<unknown>;
      // `withResponse()` starts a parse before it asks for the response: that path is recorded by the parse.
      return raw.then((response) => {
        if (!parsing) guarded(sink, "anthropic.raw-response", () => hooks.onRawResponse(response));
        return response;
      });
    },
  });
  return true;
}
