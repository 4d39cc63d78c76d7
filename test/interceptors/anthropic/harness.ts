/**
 * Shared set-up for the Anthropic interceptor tests: a fake API server, a capture tracker priced by a fixed
 * test rate card (so cost assertions do not depend on the bundled catalog), and the interceptor patched into
 * one copy of the SDK (CommonJS or ESM, current or previous major).
 */
import { createRequire } from "node:module";
import { Decimal } from "decimal.js";
import type { LedgerEvent, Pricer } from "tokenledger";
import { anthropicInterceptor } from "../../../interceptors/anthropic/index.js";
import type { InterceptorEnv, UsageSink } from "../../../interceptors/_shared/types.js";
import type { PatchSet } from "../../../interceptors/_shared/wrap.js";
import { captureTracker } from "../../helpers/capture.js";
import { startAnthropicServer, type AnthropicServer } from "../../helpers/anthropic-server.js";
import { waitForEvents } from "../wait-for-events.js";

export const requireCjs = createRequire(import.meta.url);

/** USD per million tokens (Claude Sonnet 4.6, ≤200k), and per web search. */
export const SONNET = {
  input: "3",
  cacheRead: "0.30",
  write5m: "3.75",
  write1h: "6",
  output: "15",
  webSearch: "0.01",
};
export const SONNET_MODEL = "claude-sonnet-4-6";

/** Prices `SONNET_MODEL` only; anything else is unpriced (null), as the real catalog does for unknown models. */
export const testPricer: Pricer = {
  price({ model, usage }) {
    if (model !== SONNET_MODEL) return { costUsd: null, pricingKey: null };
    const m = new Decimal(1_000_000);
    const cost = new Decimal(usage.uncachedInputTokens)
      .mul(SONNET.input)
      .plus(new Decimal(usage.cacheReadTokens).mul(SONNET.cacheRead))
      .plus(new Decimal(usage.cacheWrite5mTokens).mul(SONNET.write5m))
      .plus(new Decimal(usage.cacheWrite1hTokens).mul(SONNET.write1h))
      .plus(new Decimal(usage.outputTokens).mul(SONNET.output))
      .div(m)
      .plus(new Decimal(usage.webSearchRequests).mul(SONNET.webSearch));
    return { costUsd: cost.toFixed(), pricingKey: `test:${model}` };
  },
};

export interface Harness {
  server: AnthropicServer;
  /** Every event stored so far (after a flush). */
  events(): Promise<LedgerEvent[]>;
  /** Wait for `n` events (stream ends are recorded asynchronously). */
  waitFor(n: number): Promise<LedgerEvent[]>;
  env: InterceptorEnv;
  warnings: string[];
  internalErrors: { stage: string; err: unknown }[];
  patch(moduleExports: unknown): PatchSet | undefined;
  /** Replace the sink (for the throwing-tracker tests); `undefined` turns tracking off. */
  setSink(sink: UsageSink | undefined): void;
  /** Back to the recording sink. */
  restoreSink(): void;
  close(): Promise<void>;
}

export async function createHarness(): Promise<Harness> {
  const server = await startAnthropicServer();
  const capture = captureTracker({ pricer: testPricer });
  const warnings: string[] = [];
  const internalErrors: { stage: string; err: unknown }[] = [];
  const trackerSink: UsageSink = {
    record: (input) => capture.tracker.record(input),
    reportInternalError: (stage, err) => {
      internalErrors.push({ stage, err });
      capture.tracker.reportInternalError(stage, err);
    },
    reportAnomaly: (m) => capture.tracker.reportAnomaly(m),
  };
  let sink: UsageSink | undefined = trackerSink;
  const env: InterceptorEnv = {
    sink: () => sink,
    options: {},
    warnOnce: (_key, message) => warnings.push(message),
  };
  const sets: PatchSet[] = [];
  return {
    server,
    env,
    warnings,
    internalErrors,
    events: () => capture.flushed(),
    waitFor: (n) => waitForEvents(capture.flushed, n),
    patch(moduleExports) {
      const set = anthropicInterceptor.patchModule(moduleExports, env);
      if (set) sets.push(set);
      return set;
    },
    setSink(next) {
      sink = next;
    },
    restoreSink() {
      sink = trackerSink;
    },
    async close() {
      for (const s of sets.splice(0)) s.restore();
      await capture.tracker.shutdown();
      await server.close();
    },
  };
}

export const BASE_PARAMS = {
  model: "claude-sonnet-4-6",
  max_tokens: 256,
  messages: [{ role: "user" as const, content: "Hello, Claude" }],
};

export { deepFreeze } from "../deep-freeze.js";
