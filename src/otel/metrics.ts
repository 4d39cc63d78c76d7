import type { Counter, Histogram, Meter, MeterProvider } from "@opentelemetry/api";
import { totalInputTokens, type LedgerEvent } from "tokenledger";
import { commonAttributes, costAttributes, hasUsage } from "./attributes.js";
import {
  DURATION_BUCKETS,
  GENAI,
  TIME_TO_FIRST_CHUNK_BUCKETS,
  TL,
  TOKEN_BUCKETS,
  type MetricNames,
} from "./semconv.js";

/** One budget's share used in the current period (0.5 = 50 %), reported by the budget-utilisation gauge. */
export interface BudgetUtilization {
  readonly budgetId: string;
  readonly utilization: number;
}

/** The instruments, created once per MeterProvider. */
export class LedgerMetrics {
  readonly provider: MeterProvider;
  readonly #tokens: Histogram;
  readonly #duration: Histogram;
  readonly #ttfc: Histogram;
  readonly #cost: Counter;
  readonly #tokenTotal: Counter;

  constructor(provider: MeterProvider, names: MetricNames, budgets?: () => Iterable<BudgetUtilization>) {
    this.provider = provider;
    const meter: Meter = provider.getMeter("tokenledger");
    this.#tokens = meter.createHistogram(names.tokenUsage, {
      unit: "{token}",
      description: "Number of input and output tokens used (input includes cache reads and writes)",
      advice: { explicitBucketBoundaries: [...TOKEN_BUCKETS] },
    });
    this.#duration = meter.createHistogram(names.operationDuration, {
      unit: "s",
      description: "GenAI operation duration",
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
    });
    this.#ttfc = meter.createHistogram(names.timeToFirstChunk, {
      unit: "s",
      description: "Time to receive the first chunk of a streamed response",
      advice: { explicitBucketBoundaries: [...TIME_TO_FIRST_CHUNK_BUCKETS] },
    });
    this.#cost = meter.createCounter(names.costUsage, {
      unit: "USD",
      description: "Cost of GenAI calls in US dollars, as priced by tokenledger",
    });
    this.#tokenTotal = meter.createCounter(names.tokenTotal, {
      unit: "{token}",
      description:
        "Tokens used, each stored call counted at its sample weight (unbiased totals under sampling)",
    });
    if (budgets) {
      const gauge = meter.createObservableGauge(names.budgetUtilization, {
        unit: "1",
        description: "Share of each budget used in its current period (1 = 100 %)",
      });
      gauge.addCallback((result) => {
        for (const b of budgets()) result.observe(b.utilization, { [TL.budget]: b.budgetId });
      });
    }
  }

  /**
   * Sampling (an event with `sampleWeight` N stands for N calls): OpenTelemetry instruments take no weight, and
   * recording a value N times would cost O(N) and misstate a fractional weight. So:
   * - the counters (cost, token total) add value × weight: sums stay unbiased;
   * - the histograms record each stored call once and, when its weight is not 1, carry
   *   `tokenledger.sample_weight`, so a backend can scale that series' count and sum by it exactly. Under the
   *   tracker's uniform sampling the shape (percentiles) is already an unbiased estimate.
   */
  record(e: LedgerEvent): void {
    const base = commonAttributes(e);
    const w = e.sampleWeight;
    const common = w === 1 ? base : { ...base, [TL.sampleWeight]: w };
    if (hasUsage(e)) {
      const input = totalInputTokens(e.usage);
      this.#tokens.record(input, { ...common, [GENAI.tokenType]: "input" });
      this.#tokens.record(e.usage.outputTokens, { ...common, [GENAI.tokenType]: "output" });
      // Totals are what allocation sums: the same bounded dimensions as the cost counter.
      const alloc = costAttributes(e);
      this.#tokenTotal.add(input * w, { ...alloc, [GENAI.tokenType]: "input" });
      this.#tokenTotal.add(e.usage.outputTokens * w, { ...alloc, [GENAI.tokenType]: "output" });
    }
    if (e.latencyMs !== null) this.#duration.record(e.latencyMs / 1000, common);
    if (e.streamed && e.timeToFirstTokenMs !== null) this.#ttfc.record(e.timeToFirstTokenMs / 1000, common);
    // A counter is a double in every OTel SDK: the exact decimal stays on the span and in the ledger.
    if (e.costUsd !== null) this.#cost.add(Number(e.costUsd) * e.sampleWeight, costAttributes(e));
  }
}
