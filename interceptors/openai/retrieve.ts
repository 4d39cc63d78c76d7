import { reportSafely, sinkOrNone } from "../_shared/guard.js";
import { tapAsyncIterator } from "../_shared/stream-tap.js";
import type { InterceptorEnv } from "../_shared/types.js";
import { isAPIPromiseLike } from "./api-promise.js";
import { completeBackground, isWaiting } from "./background.js";

/* eslint-disable @typescript-eslint/no-unsafe-function-type -- SDK internals are typed structurally */

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * `responses.retrieve(id)` is not billed, so it is never recorded itself. It is watched only for the ids of
 * background responses created in this process: the finished response (a JSON body, or the final event of
 * `retrieve(id, { stream: true })`, which `responses.stream({ response_id })` also uses) completes the
 * pending event. Like `create`, the SDK's own promise is returned and its body parsed only when the caller asks.
 */
export function trackedRetrieve(env: InterceptorEnv): (original: Method) => Method {
  return (original) =>
    function retrieve(this: unknown, ...args: unknown[]): unknown {
      const result = original.apply(this, args);
      const sink = sinkOrNone(env);
      if (!sink || !isWaiting(args[0])) return result;
      try {
        if (isAPIPromiseLike(result)) onParsed(result, observeRetrieved);
      } catch (e) {
        reportSafely(sink, "openai:retrieve", e);
      }
      return result;
    };
}

interface Parseable {
  parseResponse: Function;
  _thenUnwrap?: Function;
}

/** Run `seen` on the parsed data inside the SDK's lazy parse step (openai 7: inside `_thenUnwrap`'s closure). */
function onParsed(p: Parseable, seen: (data: unknown) => void): void {
  const parse = p.parseResponse;
  p.parseResponse = function trackedParse(this: unknown, ...args: unknown[]): unknown {
    return Promise.resolve(parse.apply(this, args) as unknown).then((data) => (seen(data), data));
  };
  if (typeof p._thenUnwrap !== "function") return;
  const thenUnwrap = p._thenUnwrap;
  p._thenUnwrap = function trackedThenUnwrap(this: unknown, transform: Function, ...rest: unknown[]) {
    const observing = (data: unknown, props: unknown): unknown => (seen(data), transform(data, props));
    return thenUnwrap.call(this, observing, ...rest) as unknown;
  };
}

/** A JSON response completes at once; an SDK `Stream` completes on its final `response.*` event. */
function observeRetrieved(data: unknown): void {
  try {
    const stream = data as { iterator?: unknown } | null;
    if (stream && typeof stream.iterator === "function") return tapRetrievedStream(stream);
    completeBackground(data);
  } catch {
    /* completeBackground reports its own failures; nothing here may reach the caller */
  }
}

function tapRetrievedStream(stream: { iterator?: unknown }): void {
  const original = stream.iterator as (this: unknown, ...a: unknown[]) => AsyncIterator<unknown>;
  stream.iterator = function trackedIterator(this: unknown, ...args: unknown[]): AsyncIterator<unknown> {
    return tapAsyncIterator(original.apply(this, args), {
      onItem: (event) => {
        const e = event as { type?: unknown; response?: unknown } | null;
        if (typeof e?.type === "string" && e.type.startsWith("response.")) completeBackground(e.response);
      },
      onEnd: () => undefined,
      onHookError: () => undefined,
    });
  };
}
