import { Bench } from "tinybench";
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function printTable(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  process.stdout.write(`\n## ${title}\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** True when this module is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(metaUrl) === resolve(process.argv[1]);
}

/** Quick mode (`npm run bench:quick`, CI): small sizes so every benchmark runs in seconds. */
export const QUICK = process.env.BENCH_QUICK === "1";

/** A size from the environment, else the quick or the full default. */
export function size(envName: string, full: number, quick: number): number {
  const raw = process.env[envName];
  if (raw === undefined || raw === "") return QUICK ? quick : full;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${envName} must be a positive number, got "${raw}"`);
  return n;
}

/** Throws when a benchmark's cross-check fails, so `bench/run.ts` reports it and exits non-zero. */
export function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new Error(`cross-check failed: ${message}`);
}

// ---------- canned OpenAI wire answers, shared by the interceptor and OpenTelemetry overhead benches ----------
const usage = {
  prompt_tokens: 1200,
  completion_tokens: 80,
  total_tokens: 1280,
  prompt_tokens_details: { cached_tokens: 1024 },
  completion_tokens_details: { reasoning_tokens: 0 },
};
const JSON_BODY = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1_763_800_000,
  model: "gpt-4o-mini-2024-07-18",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "Hello there, this is a canned answer.", refusal: null },
      finish_reason: "stop",
    },
  ],
  usage,
  service_tier: "default",
});
const sse = (includeUsage: boolean): string => {
  const base = {
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 1_763_800_000,
    model: "gpt-4o-mini-2024-07-18",
  };
  const extra = includeUsage ? { usage: null } : {};
  const frames: Record<string, unknown>[] = [
    "Hello",
    " there",
    ",",
    " this",
    " is",
    " a",
    " canned",
    " answer",
    ".",
  ].map((w) => ({ ...base, ...extra, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] }));
  frames.push({ ...base, ...extra, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
  if (includeUsage) frames.push({ ...base, choices: [], usage });
  return frames.map((f) => `data: ${JSON.stringify(f)}\n\n`).join("") + "data: [DONE]\n\n";
};
const SSE_PLAIN = sse(false);
const SSE_USAGE = sse(true);

/** One event-loop turn, as a real socket's answer takes: timers and setImmediate callbacks run in between. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A `fetch` for the OpenAI SDK that answers from memory in OpenAI's wire format: a chat completion, or an SSE
 * stream (with a usage chunk when the request asks for it). `oneTurn` waits one event-loop turn first, as a real
 * socket's answer does, so timers and setImmediate callbacks run in between.
 */
export function fakeOpenAIFetch(opts: { oneTurn: boolean }) {
  return async (_url: unknown, init?: { body?: unknown }): Promise<Response> => {
    const body = typeof init?.body === "string" ? init.body : "";
    if (opts.oneTurn) await nextTurn();
    if (body.includes('"stream":true')) {
      return new Response(body.includes('"include_usage":true') ? SSE_USAGE : SSE_PLAIN, {
        headers: { "content-type": "text/event-stream", "x-request-id": "req_bench" },
      });
    }
    return new Response(JSON_BODY, {
      headers: { "content-type": "application/json", "x-request-id": "req_bench" },
    });
  };
}

/** Median wall time of one call, in µs: `iterations` timed calls after 300 warm-up calls (tinybench). */
export async function medianMicros(iterations: number, fn: () => Promise<void>): Promise<number> {
  const bench = new Bench({ iterations, time: 0, warmup: true, warmupIterations: 300, warmupTime: 0 });
  bench.add("x", fn);
  await bench.run();
  const latency = (bench.tasks[0]!.result as { latency?: { p50?: number } }).latency;
  return (latency?.p50 ?? Number.NaN) * 1000;
}
