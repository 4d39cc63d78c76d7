import { setTimeout as sleep } from "node:timers/promises";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  getContext,
  instrument,
  instrumentationReady,
  TokenLedgerConfigError,
  track,
  unpatch,
  untrack,
  withContext,
} from "tokenledger";
import { trackLLM } from "../../src/decorators.js";
import { trackCost } from "../../src/manual.js";
import { captureTracker } from "../helpers/capture.js";
import { compileDecorated } from "./helpers/compile-decorated.js";
import { startFakeOpenAI, type FakeOpenAI } from "./helpers/fake-openai.js";

// Classes written as a TypeScript 5 user writes them (standard decorators), compiled by tsc at test time.
const SOURCE = `
export function define({ trackLLM, getContext, sleep, trackCost }) {
  class Support {
    prefix = "re:";
    @trackLLM({ teamId: "support", metadata: { tier: "gold" } })
    async answer(question) {
      await sleep(2);
      return this.prefix + question + ":" + getContext().feature + ":" + getContext().teamId + ":" + getContext().userId;
    }
    @trackLLM()
    syncWork(n) { return [n * 2, getContext().feature]; }
    @trackLLM({ feature: "custom-feature" })
    named() { return getContext().feature; }
    @trackLLM()
    static stat() { return getContext().feature; }
    @trackLLM()
    async *tokens() {
      for (const t of ["a", "b"]) { await sleep(1); yield t + ":" + getContext().feature + ":" + getContext().userId; }
    }
    @trackLLM()
    async streamLater() {
      await sleep(1);
      const self = this;
      return (async function* () { yield getContext().feature; })();
    }
    @trackLLM()
    fails() { throw new Error("method failed"); }
    @trackLLM()
    async rejects() { await sleep(1); throw new Error("method rejected"); }
  }
  class Escalation extends Support {}
  return { Support, Escalation };
}
`;

interface Support {
  answer(q: string): Promise<string>;
  syncWork(n: number): [number, string];
  named(): string;
  tokens(): AsyncGenerator<string>;
  streamLater(): Promise<AsyncGenerator<string>>;
  fails(): never;
  rejects(): Promise<never>;
}
type Classes = { Support: (new () => Support) & { stat(): string }; Escalation: new () => Support };

let classes: Classes;
beforeAll(async () => {
  const mod = await compileDecorated<{ define: (tools: unknown) => Classes }>(SOURCE);
  classes = mod.define({ trackLLM, getContext, sleep, trackCost });
});

describe("@trackLLM scope (standard decorators)", () => {
  it("runs an async method in a scope: feature Class.method, given fields, outer context, this and arguments", async () => {
    const s = new classes.Support();
    const answer = await withContext({ userId: "u7", teamId: "outer-team" }, () => s.answer("hi"));
    expect(answer).toBe("re:hi:Support.answer:support:u7");
    expect(getContext()).toEqual({});
  });

  it("covers sync methods, an explicit feature, static methods and inherited methods (declaring class)", () => {
    expect(new classes.Support().syncWork(21)).toEqual([42, "Support.syncWork"]);
    expect(new classes.Support().named()).toBe("custom-feature");
    expect(classes.Support.stat()).toBe("Support.stat");
    expect(new classes.Escalation().syncWork(1)).toEqual([2, "Support.syncWork"]);
  });

  it("keeps the scope while the caller iterates a returned stream later, outside any scope", async () => {
    const s = new classes.Support();
    const direct = withContext({ userId: "reader" }, () => s.tokens());
    const viaPromise = await s.streamLater();
    await sleep(2);
    const out: string[] = [];
    for await (const t of direct) out.push(t);
    for await (const t of viaPromise) out.push(t);
    expect(out).toEqual(["a:Support.tokens:reader", "b:Support.tokens:reader", "Support.streamLater"]);
  });

  it("passes throws and rejections through unchanged", async () => {
    const s = new classes.Support();
    expect(() => s.fails()).toThrow("method failed");
    await expect(s.rejects()).rejects.toThrow("method rejected");
  });

  it("returns the method's own objects (an SDK promise subclass keeps its extra methods)", () => {
    class ApiPromise<T> extends Promise<T> {
      withResponse() {
        return "raw";
      }
    }
    const p = new ApiPromise<string>((r) => r("x"));
    const obj = { answer: 1 };
    class C {
      promise() {
        return p;
      }
      plain() {
        return obj;
      }
    }
    // Apply the decorator the way compiled standard-decorator code does.
    const d = trackLLM();
    const promise = d(C.prototype.promise, {
      kind: "method",
      name: "promise",
      static: false,
      private: false,
    } as any);
    const plain = d(C.prototype.plain, {
      kind: "method",
      name: "plain",
      static: false,
      private: false,
    } as any);
    expect(promise.call(new C())).toBe(p);
    expect((promise.call(new C()) as ApiPromise<string>).withResponse()).toBe("raw");
    expect(plain.call(new C())).toBe(obj);
  });
});

describe("@trackLLM setup errors", () => {
  it("throws a TypeError naming what was decorated when it is not a method", async () => {
    const compiled = await compileDecorated<any>(`
export const onField = (trackLLM) => { class Service { @trackLLM() client = null; } return Service; };
export const onGetter = (trackLLM) => { class Service { @trackLLM() get cost() { return 1; } } return Service; };
export const onClass = (trackLLM) => { @trackLLM() class Service {} return Service; };`);
    // Thrown while the class is being defined, before any call.
    expect(() => compiled.onField(trackLLM)).toThrow(
      new TypeError('@trackLLM can only decorate methods, not the field "client"'),
    );
    expect(() => compiled.onGetter(trackLLM)).toThrow(
      new TypeError('@trackLLM can only decorate methods, not the getter "cost"'),
    );
    expect(() => compiled.onClass(trackLLM)).toThrow(
      new TypeError('@trackLLM can only decorate methods, not the class "Service"'),
    );
    const d = trackLLM();
    expect(() => d(undefined as any, { kind: "field", name: "client" } as any)).toThrow(
      new TypeError('@trackLLM can only decorate methods, not the field "client"'),
    );
    expect(() => d((() => 1) as any, { kind: "getter", name: "cost" } as any)).toThrow(
      /not the getter "cost"/,
    );
    expect(() => d(class Foo {} as any, { kind: "class", name: "Foo" } as any)).toThrow(
      /not the class "Foo"/,
    );
    expect(() => d({} as any, { kind: "accessor", name: "acc" } as any)).toThrow(/not the accessor "acc"/);
  });

  it("rejects bad options at decoration time with a TokenLedgerConfigError naming the option", () => {
    expect(() => trackLLM({ featur: "x" } as any)).toThrow(TokenLedgerConfigError);
    expect(() => trackLLM({ featur: "x" } as any)).toThrow(/unknown option "featur"/);
    expect(() => trackLLM({ userId: 5 } as any)).toThrow(/"userId" must be a string/);
    expect(() => trackLLM({ usage: "yes" } as any)).toThrow(/"usage" must be a function/);
    expect(() => trackLLM({ tracker: {} } as any)).toThrow(/"tracker" must be a TokenTracker/);
    expect(() => trackLLM(null as any)).toThrow(/options must be an object/);
  });
});

describe("@trackLLM({ usage }) for calls no interceptor sees", () => {
  const USAGE_SOURCE = `
export function define({ trackLLM, tracker, trackCost, sleep }) {
  const fromOllama = (r) => ({ provider: "ollama", model: r.model, usage: { inputTokens: r.prompt_eval_count, outputTokens: r.eval_count } });
  class Local {
    @trackLLM({ tracker, feature: "local-chat", usage: fromOllama })
    async chat(prompt) { await sleep(5); return { model: "llama3.1", prompt_eval_count: prompt.length, eval_count: 3 }; }
    @trackLLM({ tracker, usage: fromOllama })
    async chatAlreadyTracked(prompt) {
      const r = await this.chat(prompt);
      trackCost({ tracker, provider: "ollama", model: r.model, usage: { inputTokens: 1, outputTokens: 1 } });
      return r;
    }
    @trackLLM({ tracker, usage: fromOllama })
    async outer(prompt) { return this.chat(prompt); }
    @trackLLM({ tracker, usage: () => { throw new Error("extractor bug"); } })
    extractorThrows() { return "result"; }
    @trackLLM({ tracker, usage: () => ({ provider: "ollama", model: "m", usage: { inputTokens: "many" } }) })
    extractorMalformed() { return "result"; }
    @trackLLM({ tracker, usage: () => undefined })
    nothingToRecord() { return "result"; }
    @trackLLM({ tracker, streamUsage: (chunk) => (chunk.done ? { provider: "ollama", model: chunk.model, usage: { inputTokens: chunk.prompt_eval_count, outputTokens: chunk.eval_count }, streamed: true } : undefined) })
    async *stream() {
      yield { model: "llama3.1", message: "hel", done: false };
      await sleep(1);
      yield { model: "llama3.1", message: "lo", done: false };
      yield { model: "llama3.1", done: true, prompt_eval_count: 11, eval_count: 2 };
    }
  }
  return { Local };
}`;

  it("records once from the return value, with the method's attribution and measured latency", async () => {
    const { tracker, flushed } = captureTracker();
    const { Local } = (await compileDecorated<any>(USAGE_SOURCE)).define({
      trackLLM,
      tracker,
      trackCost,
      sleep,
    });
    const result = await withContext({ userId: "u1" }, () => new Local().chat("twelve chars"));
    expect(result).toEqual({ model: "llama3.1", prompt_eval_count: 12, eval_count: 3 });
    const events = await flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      provider: "ollama",
      model: "llama3.1",
      userId: "u1",
      feature: "local-chat",
      usageSource: "manual",
      unpriced: true,
      costUsd: null,
    });
    expect(events[0]?.usage).toMatchObject({ uncachedInputTokens: 12, outputTokens: 3 });
    expect(events[0]?.latencyMs).toBeGreaterThanOrEqual(4);
    await tracker.shutdown();
  });

  it("never counts a call twice: skipped when trackCost or an inner decorated method already recorded", async () => {
    const { tracker, flushed } = captureTracker();
    const { Local } = (await compileDecorated<any>(USAGE_SOURCE)).define({
      trackLLM,
      tracker,
      trackCost,
      sleep,
    });
    await new Local().chatAlreadyTracked("abc"); // inner chat() records, then trackCost records: 2 calls, the outer adds none
    await new Local().outer("abcd"); // inner chat() records; outer must not record the same call again
    const events = await flushed();
    expect(events.map((e) => e.usage.uncachedInputTokens)).toEqual([3, 1, 4]);
    await tracker.shutdown();
  });

  it("records a streamed call once from its last chunk, while the caller iterates later", async () => {
    const { tracker, flushed } = captureTracker();
    const { Local } = (await compileDecorated<any>(USAGE_SOURCE)).define({
      trackLLM,
      tracker,
      trackCost,
      sleep,
    });
    const stream = withContext({ userId: "streamer" }, () => new Local().stream());
    await sleep(2);
    const chunks: unknown[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks).toHaveLength(3);
    const events = await flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      userId: "streamer",
      feature: "Local.stream",
      streamed: true,
      model: "llama3.1",
    });
    expect(events[0]?.usage).toMatchObject({ uncachedInputTokens: 11, outputTokens: 2 });
    await tracker.shutdown();
  });

  it("never throws into the method's caller when the extractor fails; the failure is counted", async () => {
    const { tracker, flushed } = captureTracker();
    const { Local } = (await compileDecorated<any>(USAGE_SOURCE)).define({
      trackLLM,
      tracker,
      trackCost,
      sleep,
    });
    const l = new Local();
    expect(l.extractorThrows()).toBe("result");
    expect(l.extractorMalformed()).toBe("result");
    expect(l.nothingToRecord()).toBe("result");
    expect(await flushed()).toHaveLength(0);
    expect(tracker.stats().internalErrors["trackLLM-usage"]).toBe(2);
    await tracker.shutdown();
  });
});

describe("@trackLLM around a patched OpenAI SDK", () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    unpatch();
    await untrack();
    await fake.close();
  });

  it("records the intercepted call with the method's attribution, and the usage extractor does not add a second event", async () => {
    const { storage } = captureTracker();
    const tracker = track({ storage, logger: false, autoFlushOnExit: false });
    const client = new OpenAI({ apiKey: "test", baseURL: fake.baseURL, maxRetries: 0 });
    expect(instrument(client)).toBe(true);
    await instrumentationReady();
    const src = `
export function define({ trackLLM, client }) {
  class Chat {
    @trackLLM({ teamId: "search", usage: (r) => ({ provider: "openai", model: r.model, usage: { inputTokens: r.usage.prompt_tokens, outputTokens: r.usage.completion_tokens } }) })
    async ask(user) { return client.chat.completions.create({ model: "gpt-4o-mini", user, messages: [{ role: "user", content: "hello" }] }); }
    @trackLLM()
    async askStream(user) {
      return client.chat.completions.create({ model: "gpt-4o-mini", user, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] });
    }
  }
  return { Chat };
}`;
    const { Chat } = (await compileDecorated<any>(src)).define({ trackLLM, client });
    const chat = new Chat();
    const r = await withContext({ userId: "sdk-user" }, () => chat.ask("sdk-user"));
    expect(r.model).toBe("fake-sdk-user");
    const stream = await withContext({ userId: "stream-user" }, () => chat.askStream("stream-user"));
    await sleep(5);
    for await (const _ of stream);
    await tracker.flush();
    const events = storage.stored;
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      model: "fake-sdk-user",
      userId: "sdk-user",
      teamId: "search",
      feature: "Chat.ask",
      usageSource: "provider",
    });
    expect(events[1]).toMatchObject({
      model: "fake-stream-user",
      userId: "stream-user",
      feature: "Chat.askStream",
      streamed: true,
    });
  });
});
