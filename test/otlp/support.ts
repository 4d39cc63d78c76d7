import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createOtlpServer, type OtlpReceiverDeps } from "../../src/proxy/otlp/index.js";
import { captureTracker } from "../helpers/capture.js";
import type { TokenTracker } from "tokenledger";

export const FIXTURES = new URL("../fixtures/agents/claude-code-otlp/", import.meta.url);

/** A logs/metrics export Claude Code 2.1.197 sent (captured by test/agents-real, see its README note). */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

export interface Receiver {
  readonly url: string;
  post(path: string, body: Buffer | string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** The receiver as a stand-alone server on 127.0.0.1, feeding the given tracker. */
export async function startReceiver(
  tracker: TokenTracker,
  options: Omit<OtlpReceiverDeps, "tracker"> = {},
): Promise<Receiver> {
  const server = createOtlpServer({ tracker, ...options });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    post: (path, body, headers = {}) =>
      fetch(`${url}${path}`, {
        method: "POST",
        body: typeof body === "string" ? body : new Uint8Array(body),
        headers: { "content-type": "application/json", ...headers },
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A receiver over a capture tracker; `rows()` flushes and returns what was stored. */
export async function receiverWithCapture(options: Omit<OtlpReceiverDeps, "tracker"> = {}) {
  const capture = captureTracker();
  const receiver = await startReceiver(capture.tracker, options);
  return {
    ...receiver,
    tracker: capture.tracker,
    rows: capture.flushed,
    close: async () => {
      await receiver.close();
      await capture.tracker.shutdown();
    },
  };
}
