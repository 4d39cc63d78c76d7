import { describe, expect, it } from "vitest";
import { StorageError } from "tokenledger";
import { ConnectionQueue } from "../../adapters/postgres/connection-queue.js";

describe("postgres budgets: the per-process connection queue", () => {
  it("runs at most `slots` operations at once, in arrival order, and fails a wait past maxWaitMs saying why", async () => {
    const q = new ConnectionQueue(() => ({ slots: 2, maxWaitMs: 300 }), "postgres budgets");
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const op = (i: number, ms: number) =>
      q.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        await new Promise((r) => setTimeout(r, ms));
        running--;
        return i;
      });
    expect(await Promise.all([0, 1, 2, 3, 4, 5].map((i) => op(i, 10)))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);

    const slow = [op(10, 600), op(11, 600)];
    const starved = op(12, 1).then(
      () => null,
      (e: unknown) => e,
    );
    const err = await starved;
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toMatch(
      /postgres budgets: waited 300 ms for one of 2 connections \(1 budget checks queued in this process\)/,
    );
    await Promise.all(slow);
    // The slots came back: the queue still works after a timeout.
    expect(await op(13, 1)).toBe(13);
    expect(q.queued).toBe(0);
  });
});
