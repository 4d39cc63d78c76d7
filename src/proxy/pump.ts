import type { ServerResponse } from "node:http";
import type { Readable } from "node:stream";

/** How a piped body ended: normally, cut by the upstream, or because the client left. */
export type PumpEnd = "end" | "upstream-error" | "client-gone";

/**
 * Pipes the upstream body to the client with backpressure: a `write()` that returns false pauses the upstream
 * (undici then stops reading its socket) until the client drains, so a paused client holds at most the
 * response's high-water mark here. Each chunk is shown to `onChunk` (the usage tap) before it is written; the
 * tap is synchronous and cheap, so the pipe never waits on it.
 */
export function pump(
  body: Readable,
  res: ServerResponse,
  onChunk: (chunk: Buffer) => void,
): Promise<PumpEnd> {
  return new Promise<PumpEnd>((resolve) => {
    let settled = false;
    const settle = (how: PumpEnd): void => {
      if (settled) return;
      settled = true;
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", onError);
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(how);
    };
    const onData = (chunk: Buffer): void => {
      try {
        onChunk(chunk);
      } catch {
        /* the tap must never stop the bytes */
      }
      if (!res.write(chunk)) body.pause();
    };
    const onDrain = (): void => {
      body.resume();
    };
    const onEnd = (): void => {
      res.end();
      settle("end");
    };
    const onError = (): void =>
      settle(res.destroyed && !res.writableFinished ? "client-gone" : "upstream-error");
    const onClose = (): void => {
      if (!res.writableFinished) settle("client-gone");
    };
    body.on("data", onData);
    body.once("end", onEnd);
    body.once("error", onError);
    res.on("drain", onDrain);
    res.once("close", onClose);
  });
}
