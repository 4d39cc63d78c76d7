import { EventEmitter, EventEmitterAsyncResource, once } from "node:events";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { getContext, TokenLedgerConfigError, withContext } from "tokenledger";
import { trackCost } from "../../src/manual.js";
import { captureTracker } from "../helpers/capture.js";

describe("withContext / getContext", () => {
  it("returns the function's own result, sync and async, and is empty outside any scope", async () => {
    const obj = { a: 1 };
    expect(withContext({ userId: "u1" }, () => obj)).toBe(obj);
    const p = withContext({ userId: "u1" }, async () => getContext().userId);
    expect(p).toBeInstanceOf(Promise);
    await expect(p).resolves.toBe("u1");
    expect(getContext()).toEqual({});
  });

  it("merges nested scopes: inner fields win, metadata merges key by key, the outer scope is restored", () => {
    withContext({ userId: "outer", teamId: "t1", metadata: { a: 1, b: 1 } }, () => {
      withContext({ userId: "inner", metadata: { b: 2, c: 3 } }, () => {
        expect(getContext()).toEqual({ userId: "inner", teamId: "t1", metadata: { a: 1, b: 2, c: 3 } });
      });
      expect(getContext()).toEqual({ userId: "outer", teamId: "t1", metadata: { a: 1, b: 1 } });
    });
  });

  it("propagates a throw from fn unchanged and leaves no scope behind", () => {
    const boom = new Error("boom");
    expect(() =>
      withContext({ userId: "u" }, () => {
        throw boom;
      }),
    ).toThrow(boom);
    expect(getContext()).toEqual({});
  });

  it("rejects malformed attribution with an error naming the field", () => {
    expect(() => withContext({ userId: 42 } as any, () => 1)).toThrow(TokenLedgerConfigError);
    expect(() => withContext({ userId: 42 } as any, () => 1)).toThrow(/"userId" must be a string/);
    expect(() => withContext({ user: "x" } as any, () => 1)).toThrow(/unknown attribution field "user"/);
    expect(() => withContext({ metadata: [] } as any, () => 1)).toThrow(/"metadata" must be a plain object/);
  });

  it("survives await across many interleaved scopes", async () => {
    const seen = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        withContext({ userId: `u${i}` }, async () => {
          await sleep(Math.random() * 5);
          await Promise.resolve();
          await sleep(0);
          return getContext().userId === `u${i}`;
        }),
      ),
    );
    expect(seen.every(Boolean)).toBe(true);
  });

  it("survives timers that fire after withContext returned", async () => {
    const fired: (string | undefined)[] = [];
    const done = new Promise<void>((resolve) => {
      withContext({ userId: "timer-user" }, () => {
        setTimeout(() => fired.push(getContext().userId), 5);
        setImmediate(() => fired.push(getContext().userId));
        process.nextTick(() => fired.push(getContext().userId));
        queueMicrotask(() => fired.push(getContext().userId));
        let n = 0;
        const iv = setInterval(() => {
          fired.push(getContext().userId);
          if (++n === 2) {
            clearInterval(iv);
            setTimeout(resolve, 10);
          }
        }, 1);
      });
    });
    expect(getContext().userId).toBeUndefined();
    await done;
    expect(fired).toHaveLength(6);
    expect(new Set(fired)).toEqual(new Set(["timer-user"]));
  });

  describe("streams read later and emitters", () => {
    it("iterates a stream returned by the scope inside it, even when read after withContext returned", async () => {
      async function* tokens() {
        for (const t of ["a", "b", "c"]) {
          await sleep(1);
          yield `${t}:${getContext().userId}`;
        }
      }
      const direct = withContext({ userId: "reader" }, () => tokens());
      const viaPromise = await withContext({ userId: "awaited" }, async () => {
        await sleep(1);
        return tokens(); // like `await client.chat.completions.create({ stream: true })`
      });
      const readable = withContext({ userId: "node-stream" }, () => Readable.from(tokens()));
      expect(getContext().userId).toBeUndefined();
      await sleep(5); // consume later, outside any scope
      const read = async (it: AsyncIterable<unknown>) => {
        const out: unknown[] = [];
        for await (const x of it) out.push(x);
        return out;
      };
      expect(await read(direct)).toEqual(["a:reader", "b:reader", "c:reader"]);
      expect(await read(viaPromise)).toEqual(["a:awaited", "b:awaited", "c:awaited"]);
      expect(await read(readable)).toEqual(["a:node-stream", "b:node-stream", "c:node-stream"]);
    });

    it("keeps the stream object itself: same identity, same methods, break still closes it", async () => {
      let closed = false;
      const stream = {
        extra: () => "kept",
        async *[Symbol.asyncIterator]() {
          try {
            yield 1;
            yield 2;
          } finally {
            closed = true;
          }
        },
      };
      const returned = withContext({ userId: "u" }, () => stream);
      expect(returned).toBe(stream);
      expect(returned.extra()).toBe("kept");
      for await (const _ of returned) break;
      expect(closed).toBe(true);
    });

    it("records usage reported at the end of a stream read later with the attribution of its scope", async () => {
      const { tracker, flushed } = captureTracker();
      async function* providerStream() {
        yield "chunk";
        await sleep(1);
        // A provider without an interceptor reports usage in its last chunk.
        trackCost({
          tracker,
          provider: "ollama",
          model: "llama3.1",
          usage: { inputTokens: 3, outputTokens: 1 },
        });
      }
      const stream = withContext({ userId: "late-reader", feature: "summary" }, () => providerStream());
      await sleep(5);
      await withContext({ userId: "someone-else" }, async () => {
        for await (const _ of stream);
      });
      const [event] = await flushed();
      expect(event).toMatchObject({ userId: "late-reader", feature: "summary" });
      await tracker.shutdown();
    });

    it("passes a rejected promise through to the caller unchanged", async () => {
      const boom = new Error("provider down");
      await expect(
        withContext({ userId: "u" }, async () => {
          throw boom;
        }),
      ).rejects.toBe(boom);
    });

    it("delivers events of an emitter created in the scope and emitted by work started there", async () => {
      const emitter = withContext({ userId: "emitter-user" }, () => {
        const e = new EventEmitter();
        setTimeout(() => e.emit("ready"), 5);
        return e;
      });
      let seen: string | undefined;
      emitter.on("ready", () => (seen = getContext().userId));
      await once(emitter, "ready");
      expect(seen).toBe("emitter-user");
    });

    it("delivers events of an EventEmitterAsyncResource created in the scope even when emitted from outside", () => {
      const emitter = withContext(
        { userId: "resource-user" },
        () => new EventEmitterAsyncResource({ name: "job" }),
      );
      let seen: string | undefined;
      emitter.on("done", () => (seen = getContext().userId));
      withContext({ userId: "someone-else" }, () => emitter.emit("done"));
      expect(seen).toBe("resource-user");
      emitter.emitDestroy();
    });
  });
});

describe("tracker defaults under every context", () => {
  it("applies app, environment and defaultMetadata under, and merged with, the active context", async () => {
    const { tracker, flushed } = captureTracker({
      app: "billing-api",
      environment: "staging",
      defaultMetadata: { region: "eu", tier: "free" },
    });
    const usage = { inputTokens: 10, outputTokens: 2 };
    trackCost({ tracker, provider: "groq", model: "llama-3.1-8b-instant", usage });
    withContext({ userId: "u1", environment: "canary", metadata: { tier: "pro" } }, () =>
      trackCost({ tracker, provider: "groq", model: "llama-3.1-8b-instant", usage, metadata: { call: 2 } }),
    );
    const [bare, scoped] = await flushed();
    expect(bare).toMatchObject({
      app: "billing-api",
      environment: "staging",
      userId: null,
      metadata: { region: "eu", tier: "free" },
    });
    expect(scoped).toMatchObject({
      app: "billing-api",
      environment: "canary",
      userId: "u1",
      metadata: { region: "eu", tier: "pro", call: 2 },
    });
    await tracker.shutdown();
  });
});
