import { describe, expect, it } from "vitest";
import { withUsageRequested } from "../../../interceptors/openai/stream-options.js";

// What the request carries must be exactly the caller's params plus include_usage, as the spread it replaced gave.
const reference = (params: Record<PropertyKey, unknown>): Record<PropertyKey, unknown> => {
  const existing = params.stream_options as object | null | undefined;
  return { ...params, stream_options: { ...(existing ?? {}), include_usage: true } };
};

describe("withUsageRequested (the params copy made on every injected streamed call)", () => {
  const tag = Symbol("tag");
  const cases: Record<string, Record<PropertyKey, unknown>> = {
    plain: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true },
    "caller's stream_options keys kept, in place": { model: "m", stream_options: { x: 1 }, stream: true },
    "stream_options null": { model: "m", stream_options: null, stream: true },
    "symbol key": { model: "m", stream: true, [tag]: "kept" },
    "own __proto__ key (JSON-parsed params)": JSON.parse(
      '{"model":"m","__proto__":{"a":1},"stream":true}',
    ) as Record<string, unknown>,
  };
  for (const [name, params] of Object.entries(cases)) {
    it(name, () => {
      const frozen = Object.freeze({ ...params });
      const so = frozen.stream_options;
      if (so && typeof so === "object") Object.freeze(so);
      const copy = withUsageRequested(frozen) as Record<PropertyKey, unknown>;
      const want = reference(frozen);
      expect(Reflect.ownKeys(copy)).toEqual(Reflect.ownKeys(want));
      expect(Object.getPrototypeOf(copy)).toBe(Object.getPrototypeOf(want));
      expect(JSON.stringify(copy)).toBe(JSON.stringify(want));
      expect(copy[tag]).toBe(want[tag]);
      expect(copy).not.toBe(frozen);
    });
  }
});
