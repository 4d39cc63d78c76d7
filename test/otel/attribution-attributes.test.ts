/**
 * Attribution attributes come from the one field table (src/core/attribution-fields.ts): every dimension field
 * reaches the span as `tokenledger.<dimension>`, and the bounded ones reach the counters. The test walks the
 * table, so a new dimension is covered without an edit here or in src/otel.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ATTRIBUTION_FIELDS } from "../../src/core/attribution-fields.js";
import { costAttributes, spanAttributes } from "../../src/otel/attributes.js";
import { LedgerMetrics } from "../../src/otel/metrics.js";
import { METRICS_V1_41 } from "../../src/otel/semconv.js";
import { ledgerEvent } from "../contract/ledger-events.js";
import { otelHarness, type OtelHarness } from "./support.js";

const dimensionFields = ATTRIBUTION_FIELDS.filter((f) => f.dimension !== null);
const values = Object.fromEntries(ATTRIBUTION_FIELDS.map((f) => [f.key, `v-${f.column}`]));
const event = ledgerEvent({ ...values, costUsd: "0.01" });

describe("attribution attributes derived from ATTRIBUTION_FIELDS", () => {
  it("every dimension field is a span attribute tokenledger.<dimension>; fields without one are not", () => {
    const a = spanAttributes(event);
    for (const f of dimensionFields) expect(a[`tokenledger.${f.dimension}`], f.key).toBe(values[f.key]);
    for (const f of ATTRIBUTION_FIELDS.filter((x) => x.dimension === null))
      expect(Object.values(a), f.key).not.toContain(values[f.key]);
  });

  it("the cost counter carries the bounded rollup dimensions, never a high-cardinality one", () => {
    const a = costAttributes(event);
    for (const f of dimensionFields) {
      const bounded = f.rollup && !("highCardinality" in f && f.highCardinality);
      expect(a[`tokenledger.${f.dimension}`], f.key).toBe(bounded ? values[f.key] : undefined);
    }
    expect(a["tokenledger.user"]).toBeUndefined();
  });

  describe("through the meter", () => {
    let h: OtelHarness;
    beforeEach(() => {
      h = otelHarness();
    });
    afterEach(() => h.close());
    it("the token total is split by the same dimensions as cost", async () => {
      new LedgerMetrics(h.meterProvider, METRICS_V1_41).record(event);
      const points = (await h.metrics()).get("tokenledger.token.usage")!.dataPoints;
      for (const p of points) expect(p.attributes).toMatchObject(costAttributes(event));
    });
  });
});
