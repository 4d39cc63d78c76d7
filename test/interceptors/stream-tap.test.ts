import { describe, expect, it } from "vitest";
import {
  HIDE,
  tapAsyncIterator,
  type StreamEnd,
  type TapHooks,
} from "../../interceptors/_shared/stream-tap.js";

async function* numbers(n: number, failAt?: number): AsyncGenerator<number> {
  for (let i = 1; i <= n; i++) {
    if (i === failAt) throw new Error(`boom at ${i}`);
    yield i;
  }
}

function recorder(present?: TapHooks<number>["present"]) {
  const seen: number[] = [];
  const ends: { end: StreamEnd; error?: unknown }[] = [];
  const hookErrors: string[] = [];
  const hooks: TapHooks<number> = {
    onItem: (item) => void seen.push(item),
    onEnd: (end, error) => void ends.push({ end, error }),
    onHookError: (stage) => void hookErrors.push(stage),
  };
  if (present) hooks.present = present;
  return { hooks, seen, ends, hookErrors };
}

async function drain(it: AsyncIterator<number>): Promise<number[]> {
  const out: number[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) return out;
    out.push(r.value);
  }
}

describe("tapAsyncIterator present hook (one layer that observes and filters)", () => {
  it("hidden items are observed but never reach the consumer; replaced items reach it; the end is reported once", async () => {
    const r = recorder((n) => (n % 2 === 0 ? HIDE : n * 10));
    const out = await drain(tapAsyncIterator(numbers(5), r.hooks));
    expect(out).toEqual([10, 30, 50]);
    expect(r.seen).toEqual([1, 2, 3, 4, 5]);
    expect(r.ends).toEqual([{ end: "done", error: undefined }]);
  });

  it("a hidden last item still ends the stream once, as done", async () => {
    const r = recorder((n) => (n === 3 ? HIDE : n));
    expect(await drain(tapAsyncIterator(numbers(3), r.hooks))).toEqual([1, 2]);
    expect(r.ends.map((e) => e.end)).toEqual(["done"]);
  });

  it("a throwing present hook lets the item through unchanged and is reported, never thrown", async () => {
    const r = recorder((n) => {
      if (n === 2) throw new Error("hook bug");
      return n;
    });
    expect(await drain(tapAsyncIterator(numbers(3), r.hooks))).toEqual([1, 2, 3]);
    expect(r.hookErrors).toEqual(["stream-present"]);
  });

  it("the source's error surfaces to the consumer and is the recorded end; break is recorded as return", async () => {
    const failing = recorder((n) => n);
    await expect(drain(tapAsyncIterator(numbers(3, 2), failing.hooks))).rejects.toThrow("boom at 2");
    expect(failing.ends.map((e) => e.end)).toEqual(["error"]);

    const early = recorder((n) => (n === 1 ? HIDE : n));
    const it = tapAsyncIterator(numbers(5), early.hooks);
    expect((await it.next()).value).toBe(2);
    await it.return?.();
    await it.return?.();
    expect(early.ends.map((e) => e.end)).toEqual(["return"]);
  });
});
