/**
 * The variants `bench/otel-overhead.ts` (wall clock) and `bench/otel-instructions.ts` (instruction counts)
 * compare: the OpenAI SDK on an in-memory fetch, bare, tracked with OTel export off, and tracked with export on
 * into real SDK providers (a BatchSpanProcessor over a no-op exporter, a MeterProvider with a null reader).
 */
import { createRequire } from "node:module";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { TokenTracker } from "../src/index.js";
import { instrumentOtel } from "../src/otel/index.js";
import { NullStorage } from "./null-storage.js";
import { fakeOpenAIFetch } from "./util.js";
import { openaiInterceptor } from "../interceptors/openai/index.js";
import type { PatchSet } from "../interceptors/_shared/wrap.js";

const require = createRequire(import.meta.url);

// A host running the Node SDK has an AsyncLocalStorage context manager; capture() reads it.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

export const openai = require("openai");
export const OPENAI_VERSION: string = require("openai/version").VERSION;
const newClient = () =>
  new openai.OpenAI({ apiKey: "sk-bench", fetch: fakeOpenAIFetch({ oneTurn: false }), maxRetries: 0 });
const messages = [{ role: "user", content: "Say hello" }];
type Client = ReturnType<typeof newClient>;

class NullReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

export function sdkProviders() {
  const exporter = {
    export: (_spans: unknown, done: (r: { code: number }) => void) => done({ code: 0 }),
    shutdown: async () => {},
  };
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const meterProvider = new MeterProvider({ readers: [new NullReader()] });
  return { tracerProvider, meterProvider };
}

export type Mode = "untracked" | "off" | "on";
export const MODES: readonly Mode[] = ["untracked", "off", "on"];

export interface Setup {
  client: Client;
  tracker?: TokenTracker;
  teardown(): Promise<void>;
}

/** `holdEvents`: no flush until teardown, so a measurement window holds the call path alone. */
export async function setup(mode: Mode, holdEvents = false): Promise<Setup> {
  if (mode === "untracked") return { client: newClient(), teardown: async () => {} };
  const tracker = new TokenTracker({
    storage: new NullStorage(),
    logger: false,
    autoFlushOnExit: false,
    ...(holdEvents ? { flushIntervalMs: 3_600_000, maxBatchSize: 100_000, maxQueueSize: 100_000 } : {}),
  });
  const set = openaiInterceptor.patchModule(openai, {
    sink: () => tracker,
    options: {},
    warnOnce: () => {},
  }) as PatchSet;
  const providers = mode === "on" ? sdkProviders() : undefined;
  const handle = providers ? instrumentOtel(tracker, providers) : undefined;
  return {
    client: newClient(),
    tracker,
    teardown: async () => {
      set.restore();
      handle?.stop();
      await tracker.shutdown();
      await providers?.tracerProvider.shutdown();
      await providers?.meterProvider.shutdown();
    },
  };
}

/** One non-streamed chat call; throws on a wrong answer so a broken variant cannot look fast. */
export const call = async (client: Client) => {
  const res = await client.chat.completions.create({ model: "gpt-4o-mini", messages });
  if (!res.choices) throw new Error("bad answer");
};
