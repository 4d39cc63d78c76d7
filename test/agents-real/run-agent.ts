import type { LedgerEvent } from "tokenledger";
import { spawn } from "node:child_process";

export interface AgentRun {
  readonly code: number | null;
  readonly output: string;
}

/** Runs an agent CLI non-interactively with exactly the given environment (no inherited keys or config). */
export function runAgent(
  bin: string,
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 45_000,
): Promise<AgentRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      env: { PATH: process.env.PATH ?? "", ...env },
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Polls until `check` passes or the time is up (telemetry exporters send on their own schedule). */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Everything in the ledger once the tracker has flushed. */
export async function ledgerRows(
  tracker: { flush(o: { timeoutMs: number }): Promise<unknown> },
  storage: { events(q: object): AsyncIterable<LedgerEvent> },
): Promise<LedgerEvent[]> {
  await tracker.flush({ timeoutMs: 5000 });
  const out: LedgerEvent[] = [];
  for await (const e of storage.events({})) out.push(e);
  return out;
}

/**
 * Codex's token buckets as the ledger stored them and as the fake upstream billed them (Responses usage:
 * input includes cached), each sorted by uncached input, so the two lists compare with `toEqual`.
 */
export function codexTokens(
  stored: readonly LedgerEvent[],
  billed: readonly { usage: Record<string, number> }[],
): { got: number[][]; want: number[][] } {
  const byInput = (a: number[], b: number[]) => a[0]! - b[0]!;
  return {
    got: stored
      .map((e) => [
        e.usage.uncachedInputTokens,
        e.usage.cacheReadTokens,
        e.usage.outputTokens,
        e.usage.reasoningTokens,
      ])
      .sort(byInput),
    want: billed
      .map((b) => [
        b.usage.input_tokens! - b.usage.cached_tokens!,
        b.usage.cached_tokens!,
        b.usage.output_tokens!,
        b.usage.reasoning_tokens!,
      ])
      .sort(byInput),
  };
}
