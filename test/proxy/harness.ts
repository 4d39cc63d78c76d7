import type { LedgerEvent } from "tokenledger";
import { captureTracker } from "../helpers/capture.js";
import { startProxyServer, type ProxyServer } from "../../src/proxy/index.js";
import type { ProxyOptions } from "../../src/proxy/options.js";

export interface Harness {
  readonly proxy: ProxyServer;
  /** Everything the proxy and the tracker logged (checked for leaked credentials). */
  readonly logs: string[];
  /** Events recorded so far, after a flush. */
  events(): Promise<LedgerEvent[]>;
  close(): Promise<void>;
}

/** A proxy on 127.0.0.1:0 recording into a capture tracker, with its logger captured. */
export async function startHarness(options: Omit<ProxyOptions, "sink"> = {}): Promise<Harness> {
  const logs: string[] = [];
  const logger = { warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  const { tracker, flushed } = captureTracker({ logger });
  const proxy = await startProxyServer({ logger, ...options, sink: tracker }, { port: 0 });
  return {
    proxy,
    logs,
    events: flushed,
    close: async () => {
      await proxy.close();
      await tracker.shutdown();
    },
  };
}

/** Waits until `check` holds (the proxy records after the last byte reached the client). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Events once `n` of them are stored. */
export async function eventsWhen(h: Harness, n: number): Promise<LedgerEvent[]> {
  let events: LedgerEvent[] = [];
  await until(async () => (events = await h.events()).length >= n);
  return events;
}
