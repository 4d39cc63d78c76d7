/**
 * Per-call overhead of tracking an `openai` chat call, untracked vs tokenledger (no-op storage and a real SQLite
 * ledger) vs Langfuse v3 `observeOpenAI` vs OpenTelemetry `@opentelemetry/instrumentation-openai`, all in one run.
 *
 * The SDK's `fetch` option points at an in-process fake that returns a canned Response (JSON or SSE body), so
 * the network does not hide the cost; it answers one event-loop turn later (setImmediate), as a real socket
 * would, so background work (tokenledger's drain, exporters) gets its turns and is part of what is measured.
 * Langfuse ships its batches to a local HTTP sink; OpenTelemetry exports through a BatchSpanProcessor into a
 * no-op exporter. For tokenledger the recorded / persisted / dropped counts are printed: nothing may be dropped
 * at the default queue size (the run fails otherwise).
 *
 *   node --expose-gc --import tsx bench/interceptor-overhead.ts [--iterations 3000] [--heap-calls 20000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { TokenTracker, type StorageAdapter } from "../src/index.js";
import { sqliteStorage } from "../adapters/sqlite/index.js";
import { NullStorage } from "./null-storage.js";
import { openaiInterceptor } from "../interceptors/openai/index.js";
import type { PatchSet } from "../interceptors/_shared/wrap.js";
import type { InterceptorOptions } from "../interceptors/_shared/types.js";
import { QUICK, check, fakeOpenAIFetch, medianMicros } from "./util.js";

const require = createRequire(import.meta.url);
const { values: args } = parseArgs({
  options: {
    iterations: { type: "string", default: QUICK ? "200" : "3000" },
    "heap-calls": { type: "string", default: QUICK ? "1000" : "20000" },
  },
});
const ITERATIONS = Number(args.iterations);
const HEAP_CALLS = Number(args["heap-calls"]);

if (typeof globalThis.gc !== "function") {
  console.warn(
    "run with --expose-gc for heap figures (node --expose-gc --import tsx bench/interceptor-overhead.ts)",
  );
}

// ---------- variants ----------
const openai = require("openai");
const newClient = () =>
  new openai.OpenAI({ apiKey: "sk-bench", fetch: fakeOpenAIFetch({ oneTurn: true }), maxRetries: 0 });
const messages = [{ role: "user", content: "Say hello" }];
type Client = ReturnType<typeof newClient>;

interface Setup {
  client: Client;
  flush(): Promise<void>;
  teardown(): Promise<void>;
  /** tokenledger only: recorded / persisted / dropped after the final flush. */
  counts?(): string;
}
interface Variant {
  name: string;
  setup(): Promise<Setup>;
}

const untracked: Variant = {
  name: "untracked",
  setup: async () => ({ client: newClient(), flush: async () => {}, teardown: async () => {} }),
};

const tempDir = mkdtempSync(join(tmpdir(), "tl-bench-interceptor-"));
const tokenledgerVariant = (
  name: string,
  options: InterceptorOptions,
  storage: () => StorageAdapter = () => new NullStorage(),
): Variant => ({
  name,
  setup: async () => {
    const tracker = new TokenTracker({ storage: storage(), logger: false, autoFlushOnExit: false });
    const set = openaiInterceptor.patchModule(openai, {
      sink: () => tracker,
      options,
      warnOnce: () => {},
    }) as PatchSet;
    return {
      client: newClient(),
      flush: async () => void (await tracker.flush()),
      teardown: async () => {
        set.restore();
        await tracker.shutdown();
      },
      counts: () => {
        const s = tracker.stats();
        const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
        check(dropped === 0, `${name}: ${dropped} events dropped (${JSON.stringify(s.dropped)})`);
        check(s.persisted === s.recorded, `${name}: persisted ${s.persisted} of ${s.recorded}`);
        return `${s.recorded}/${s.persisted}/${dropped}`;
      },
    };
  },
});
// Default mode asks the server for stream usage (include_usage), so the SDK parses one more chunk per stream.
const tokenledger = tokenledgerVariant("tokenledger (null storage)", {});
let ledgers = 0;
const tokenledgerSqlite = tokenledgerVariant("tokenledger (SQLite file)", {}, () =>
  sqliteStorage({ path: join(tempDir, `ledger-${++ledgers}.db`) }),
);
const tokenledgerNoInject = tokenledgerVariant("tokenledger (streamUsage never)", {
  openaiStreamUsage: "never",
});

let ingestionSink: Server | undefined;
const langfuse: Variant = {
  name: "langfuse v3 observeOpenAI",
  setup: async () => {
    ingestionSink ??= await startIngestionSink();
    const { observeOpenAI } = require("langfuse");
    const baseUrl = `http://127.0.0.1:${(ingestionSink.address() as AddressInfo).port}`;
    const client = observeOpenAI(newClient(), {
      clientInitParams: { publicKey: "pk-lf-bench", secretKey: "sk-lf-bench", baseUrl },
    });
    return {
      client: client as Client,
      flush: () => client.flushAsync(),
      teardown: () => client.shutdownAsync(),
    };
  },
};

const otel: Variant = {
  name: "otel instrumentation-openai",
  setup: async () => {
    const { OpenAIInstrumentation } = require("@opentelemetry/instrumentation-openai");
    const { BasicTracerProvider, BatchSpanProcessor } = require("@opentelemetry/sdk-trace-base");
    const exporter = {
      export: (_spans: unknown, done: (r: { code: number }) => void) => done({ code: 0 }),
      shutdown: async () => {},
    };
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    const inst = new OpenAIInstrumentation({ enabled: false });
    inst.setTracerProvider(provider);
    // It records duration/token histograms too; without a meter provider its stream path throws.
    inst.setMeterProvider(require("@opentelemetry/api").metrics.getMeterProvider());
    inst.enable();
    const def = inst.getModuleDefinitions()[0];
    def.patch(openai, require("openai/version").VERSION);
    return {
      client: newClient(),
      flush: () => provider.forceFlush(),
      teardown: async () => {
        def.unpatch(openai);
        inst.disable();
        await provider.shutdown();
      },
    };
  },
};

function startIngestionSink(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(207, { "content-type": "application/json" });
      res.end('{"successes":[],"errors":[]}');
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// ---------- measurement ----------
async function nonStreamed(client: Client): Promise<void> {
  const res = await client.chat.completions.create({ model: "gpt-4o-mini", messages });
  if (!res.choices) throw new Error("bad answer");
}
async function streamed(client: Client): Promise<void> {
  let n = 0;
  for await (const _ of await client.chat.completions.create({
    model: "gpt-4o-mini",
    messages,
    stream: true,
  }))
    n++;
  if (n !== 10) throw new Error(`expected 10 chunks, got ${n}`);
}

async function heapGrowthKiB(client: Client, flush: () => Promise<void>): Promise<number> {
  const gc = globalThis.gc as (() => void) | undefined;
  if (!gc) return Number.NaN;
  await flush();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < HEAP_CALLS; i++) await nonStreamed(client);
  await flush();
  await new Promise((r) => setTimeout(r, 50));
  gc();
  return (process.memoryUsage().heapUsed - before) / 1024;
}

interface Row {
  name: string;
  json: number;
  stream: number;
  heapKiB: number;
  counts: string;
}

async function measure(v: Variant): Promise<Row> {
  const { client, flush, teardown, counts } = await v.setup();
  try {
    const json = await medianMicros(ITERATIONS, () => nonStreamed(client));
    const stream = await medianMicros(ITERATIONS, () => streamed(client));
    const heapKiB = await heapGrowthKiB(client, flush);
    await flush();
    return { name: v.name, json, stream, heapKiB, counts: counts?.() ?? "" };
  } finally {
    await teardown();
  }
}

const rows: Row[] = [];
try {
  for (const v of [untracked, tokenledger, tokenledgerSqlite, tokenledgerNoInject, langfuse, otel])
    rows.push(await measure(v));
} finally {
  rmSync(tempDir, { recursive: true, force: true });
}
// A second untracked pass at the end guards against drift (JIT warm-up, GC state) skewing the baseline.
const late = await measure(untracked);
const base: Row = {
  name: "untracked",
  json: Math.min(rows[0]!.json, late.json),
  stream: Math.min(rows[0]!.stream, late.stream),
  heapKiB: rows[0]!.heapKiB,
  counts: "",
};
rows[0] = base;

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "n/a");
console.log(
  `\nopenai ${require("openai/version").VERSION}, node ${process.version}, ${ITERATIONS} iterations/case, heap over ${HEAP_CALLS} calls (after flush + gc)\n`,
);
console.log(
  [
    "variant".padEnd(31),
    "json µs",
    "+µs",
    "ratio",
    "stream µs",
    "+µs",
    "ratio",
    "heap KiB",
    "recorded/persisted/dropped",
  ]
    .map((c) => c.padStart(9))
    .join(" "),
);
for (const r of rows) {
  console.log(
    [
      r.name.padEnd(31),
      f(r.json),
      f(r.json - base.json),
      (r.json / base.json).toFixed(2),
      f(r.stream),
      f(r.stream - base.stream),
      (r.stream / base.stream).toFixed(2),
      f(r.heapKiB),
      r.counts,
    ]
      .map((c, i) => (i === 0 ? c : c.padStart(9)))
      .join(" "),
  );
}
ingestionSink?.closeAllConnections();
ingestionSink?.close();
// Every client, tracker and server is closed above; anything still holding the loop open is a bug to find, not to
// wait for: name it and fail (bench/run.ts would otherwise kill this run at its budget).
setTimeout(() => {
  console.error(`still running 10 s after the table: ${process.getActiveResourcesInfo().join(", ")}`);
  process.exit(1);
}, 10_000).unref();
