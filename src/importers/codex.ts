import { homedir } from "node:os";
import { basename, join } from "node:path";
import type { NormalizedUsage } from "../core/buckets.js";
import { record } from "../usage/numbers.js";
import { readJsonLines } from "./line-reader.js";
import { stableEventId } from "./stable-id.js";
import type { AgentImporter, ParseSink } from "./types.js";
import { walkFiles } from "./walk.js";

export const CODEX_AGENT = "codex";

/** `$CODEX_HOME/sessions`, else `~/.codex/sessions`. */
export function defaultCodexDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.CODEX_HOME || join(homedir(), ".codex"), "sessions");
}

const FIELDS = [
  "input_tokens",
  "cached_input_tokens",
  "output_tokens",
  "reasoning_output_tokens",
  "total_tokens",
] as const;
type Totals = Record<(typeof FIELDS)[number], number>;

function readTotals(value: unknown): Totals | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const r = record(value);
  const out = {} as Totals;
  for (const f of FIELDS) {
    const v = r[f] ?? 0;
    if (typeof v !== "number" || !Number.isFinite(v)) return undefined;
    out[f] = v;
  }
  if (!r.total_tokens) out.total_tokens = out.input_tokens + out.output_tokens;
  return out;
}

function minus(a: Totals, b: Totals): Totals {
  const out = {} as Totals;
  for (const f of FIELDS) out[f] = a[f] - b[f];
  return out;
}

const isZero = (t: Totals) => FIELDS.every((f) => t[f] === 0);
const hasNegative = (t: Totals) => FIELDS.some((f) => t[f] < 0);

/** Codex counts: `cached_input_tokens` ⊂ `input_tokens`, `reasoning_output_tokens` ⊂ `output_tokens`. */
export function fromCodexUsage(t: Totals): NormalizedUsage {
  return {
    uncachedInputTokens: t.input_tokens - t.cached_input_tokens,
    cacheReadTokens: t.cached_input_tokens,
    cacheWrite5mTokens: 0,
    cacheWrite1hTokens: 0,
    outputTokens: t.output_tokens,
    reasoningTokens: t.reasoning_output_tokens,
    inputAudioTokens: 0,
    outputAudioTokens: 0,
    tierBasisTokens: t.input_tokens,
    webSearchRequests: 0,
  };
}

/**
 * Codex rollouts: `sessions/YYYY/MM/DD/rollout-*.jsonl`, lines `{timestamp, type, payload}`.
 * `session_meta` gives the session id and cwd, `turn_context` the model, and `event_msg` with
 * `payload.type = "token_count"` the usage: `info.total_token_usage` (cumulative for the session) and
 * `info.last_token_usage` (the latest turn). Codex repeats a token_count with unchanged totals (for
 * example on rate-limit updates), so the per-turn usage is the change in the cumulative totals; a
 * report without a change is a duplicate. Only when totals are absent (or went backwards) is
 * `last_token_usage` used as is.
 */
export const codexImporter: AgentImporter = {
  agent: CODEX_AGENT,
  listFiles: (root, onError) => walkFiles(root, (name) => name.endsWith(".jsonl"), onError),
  async parseFile(path: string, sink: ParseSink): Promise<void> {
    let sessionId = basename(path, ".jsonl").replace(/^rollout-/, "");
    let projectId: string | null = null;
    let model: string | null = null;
    let provider = "openai";
    let previous: Totals | undefined;
    for await (const line of readJsonLines(path, sink)) {
      const entry = record(line.value);
      const payload = record(entry.payload);
      if (entry.type === "session_meta") {
        if (typeof payload.id === "string") sessionId = payload.id;
        if (typeof payload.cwd === "string") projectId = payload.cwd;
        if (typeof payload.model_provider === "string" && payload.model_provider)
          provider = payload.model_provider;
        continue;
      }
      if (entry.type === "turn_context") {
        if (typeof payload.model === "string") model = payload.model;
        if (typeof payload.cwd === "string") projectId = payload.cwd;
        continue;
      }
      if (entry.type !== "event_msg" || payload.type !== "token_count") continue;
      if (payload.info === null || payload.info === undefined) continue; // rate-limit only update
      const info = record(payload.info);
      const total = readTotals(info.total_token_usage);
      const last = readTotals(info.last_token_usage);
      if (!total && !last) {
        sink.malformed(line.number, "token_count without readable total_token_usage or last_token_usage");
        continue;
      }
      let turn: Totals;
      let key: string;
      if (total) {
        const delta = previous ? minus(total, previous) : total;
        if (isZero(delta)) {
          sink.duplicate();
          continue;
        }
        turn = hasNegative(delta) ? (last ?? total) : delta;
        previous = total;
        key = `total:${total.total_tokens}:${total.input_tokens}:${total.output_tokens}`;
      } else {
        turn = last!;
        key = `line:${line.number}`;
      }
      const at = typeof entry.timestamp === "string" ? Date.parse(entry.timestamp) : Number.NaN;
      if (Number.isNaN(at)) {
        sink.malformed(line.number, "missing or invalid timestamp");
        continue;
      }
      await sink.event({
        id: stableEventId(CODEX_AGENT, sessionId, key),
        timestamp: at,
        provider,
        model,
        operation: "responses",
        usage: fromCodexUsage(turn),
        usageSource: "import",
        attribution: { sessionId, ...(projectId ? { projectId } : {}), app: CODEX_AGENT },
      });
    }
  },
};
