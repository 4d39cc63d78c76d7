import { Decimal } from "decimal.js";
import type { LedgerEvent, Pricer, PriceRequest, PriceResult, TokenTracker } from "tokenledger";
import type { InterceptorEnv, UsageSink } from "../../../interceptors/_shared/types.js";
import { captureTracker } from "../../helpers/capture.js";
import { waitForEvents } from "../wait-for-events.js";

/**
 * Test rates (USD per million) for the gemini-2.5-flash family, as in the reference price table:
 * input 0.30, cached input 0.03, output (thinking included) 2.50. Other models are unpriced.
 */
export const testPricer: Pricer = {
  price(req: PriceRequest): PriceResult {
    if (!req.model.startsWith("gemini-2.5-flash")) return { costUsd: null, pricingKey: null };
    const u = req.usage;
    const cost = new Decimal(u.uncachedInputTokens)
      .mul("0.30")
      .plus(new Decimal(u.cacheReadTokens).mul("0.03"))
      .plus(new Decimal(u.outputTokens).mul("2.50"))
      .div(1_000_000);
    return { costUsd: cost.toFixed(), pricingKey: `test/${req.model}` };
  },
};

/** FINAL_USAGE normalised: fresh input 1200 − 1000 cached + 50 tool prompt; output 300 + 200 thinking. */
export const FINAL_BUCKETS = {
  uncachedInputTokens: 250,
  cacheReadTokens: 1000,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  outputTokens: 500,
  reasoningTokens: 200,
  inputAudioTokens: 0,
  outputAudioTokens: 0,
  tierBasisTokens: 1200,
  webSearchRequests: 0,
};
/** 250 × 0.30 + 1000 × 0.03 + 500 × 2.50 = 75 + 30 + 1250 micro-dollars. */
export const FINAL_COST = "0.001355";

/** After the first stream chunk only: output 100 visible + 200 thinking. */
export const FIRST_CHUNK_BUCKETS = { ...FINAL_BUCKETS, outputTokens: 300 };

export interface Harness {
  env: InterceptorEnv;
  warnings: string[];
  /** Swap the sink (undefined = tracking off). */
  use(sink: UsageSink | undefined): void;
  tracker: TokenTracker;
  events(): Promise<LedgerEvent[]>;
  /** Wait until `n` events were stored (recording happens on promise callbacks after the caller resumes). */
  waitFor(n: number): Promise<LedgerEvent[]>;
  clear(): void;
}

export function harness(): Harness {
  const { tracker, storage, flushed } = captureTracker({ pricer: testPricer });
  let sink: UsageSink | undefined = tracker;
  const warnings: string[] = [];
  return {
    env: { sink: () => sink, options: {}, warnOnce: (_key, message) => warnings.push(message) },
    warnings,
    use(s) {
      sink = s;
    },
    tracker,
    events: flushed,
    waitFor: (n) => waitForEvents(flushed, n),
    clear() {
      storage.stored.length = 0;
    },
  };
}

export { deepFreeze } from "../deep-freeze.js";

/** An API key shaped like a real Google key, so a leak would be recognisable. */
export const CANARY_KEY = "AIzaSyCANARY-7f3a9c2e5b1d8f4a6c0e2b9d7f1";
