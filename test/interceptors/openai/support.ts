import { createRequire } from "node:module";
import { join } from "node:path";
import { Decimal } from "decimal.js";
import type { LedgerEvent, Pricer, PriceRequest } from "tokenledger";
import type { InterceptorEnv, InterceptorOptions, UsageSink } from "../../../interceptors/_shared/types.js";
import { openaiInterceptor } from "../../../interceptors/openai/index.js";
import type { PatchSet } from "../../../interceptors/_shared/wrap.js";
import { captureTracker } from "../../helpers/capture.js";

const projectRequire = createRequire(import.meta.url);
/**
 * `npm run test:node22` runs these suites a second time against openai 7 (Node 22 only), installed outside the
 * project: TOKENLEDGER_TEST_OPENAI_DIR names that `node_modules`, and `openai` (and `openai/...`) load from it.
 */
const altOpenAI = process.env.TOKENLEDGER_TEST_OPENAI_DIR;
const altRequire = altOpenAI ? createRequire(join(altOpenAI, "noop.js")) : undefined;
export const require: NodeJS.Require = Object.assign(
  (id: string): unknown =>
    altRequire && (id === "openai" || id.startsWith("openai/")) ? altRequire(id) : projectRequire(id),
  projectRequire,
);

/** USD per 1M tokens: input, cached input, output (reference tables, B.4). */
const RATES: Record<string, [string, string, string]> = {
  "gpt-4o": ["2.50", "1.25", "10.00"],
  "gpt-4o-mini": ["0.15", "0.075", "0.60"],
  "gpt-3.5-turbo-instruct": ["1.50", "1.50", "2.00"],
  "text-embedding-3-small": ["0.02", "0.02", "0"],
};

/** A pricer with fixed rates, so these tests do not depend on the bundled catalog. Dated snapshots fall back. */
export const testPricer: Pricer = {
  price(req: PriceRequest) {
    const key = req.model.replace(/-\d{4}-\d{2}-\d{2}$/, "");
    const r = RATES[key];
    if (!r) return { costUsd: null, pricingKey: null };
    const [input, cached, output] = r.map((x) => new Decimal(x).div(1_000_000));
    const u = req.usage;
    const cost = input!
      .mul(u.uncachedInputTokens + u.cacheWrite5mTokens)
      .plus(cached!.mul(u.cacheReadTokens))
      .plus(output!.mul(u.outputTokens));
    return { costUsd: cost.toFixed(), pricingKey: key };
  },
};

/** The buckets the fake server's default usage (10,000 prompt / 8,000 cached / 500 out / 200 reasoning) gives. */
export const DEFAULT_BUCKETS = {
  uncachedInputTokens: 2000,
  cacheReadTokens: 8000,
  cacheWrite5mTokens: 0,
  cacheWrite1hTokens: 0,
  outputTokens: 500,
  reasoningTokens: 200,
  inputAudioTokens: 0,
  outputAudioTokens: 0,
};

/** Hand-computed (reference B.5.2): 2,000 × 2.50 + 8,000 × 1.25 + 500 × 10.00 per 1M = $0.02. */
export const GPT4O_DEFAULT_COST = "0.02";

export interface Harness {
  env: InterceptorEnv;
  options: InterceptorOptions;
  warnings: string[];
  internalErrors: { stage: string; err: unknown }[];
  flushed: () => Promise<LedgerEvent[]>;
  stored: LedgerEvent[];
  /** Replace the sink (for example with one that throws). */
  setSink(sink: UsageSink | undefined): void;
}

export function harness(options: InterceptorOptions = {}): Harness {
  const { tracker, flushed, storage } = captureTracker({ pricer: testPricer });
  const warnings: string[] = [];
  const internalErrors: { stage: string; err: unknown }[] = [];
  let sink: UsageSink | undefined = {
    record: (e) => tracker.record(e),
    revise: (e) => tracker.revise(e),
    reportInternalError: (stage, err) => {
      internalErrors.push({ stage, err });
      tracker.reportInternalError(stage, err);
    },
    reportAnomaly: (m) => tracker.reportAnomaly(m),
  };
  const h: Harness = {
    options,
    env: {
      sink: () => sink,
      get options() {
        return h.options;
      },
      warnOnce: (_key, message) => void warnings.push(message),
    },
    warnings,
    internalErrors,
    flushed,
    stored: storage.stored,
    setSink: (s) => {
      sink = s;
    },
  };
  return h;
}

export function patch(mod: unknown, h: Harness): PatchSet {
  const set = openaiInterceptor.patchModule(mod, h.env);
  if (!set) throw new Error("openai module not recognised");
  return set;
}

export { deepFreeze } from "../deep-freeze.js";

/** Wait until `n` events are stored (streams finish asynchronously after the consumer's loop). */
export async function eventsAfter(h: Harness, n: number): Promise<LedgerEvent[]> {
  for (let i = 0; i < 100; i++) {
    const events = await h.flushed();
    if (events.length >= n) return events;
    await new Promise((r) => setTimeout(r, 10));
  }
  return h.flushed();
}
