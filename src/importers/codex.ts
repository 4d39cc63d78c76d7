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

/** Live and archived rollouts: `sessions` and `archived_sessions` under `$CODEX_HOME` (else `~/.codex`). */
export function defaultCodexDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.CODEX_HOME || join(homedir(), ".codex");
  return [join(home, "sessions"), join(home, "archived_sessions")];
}

const FIELDS = [
  "input_tokens",
  "cached_input_tokens",
  "cache_write_input_tokens",
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

/**
 * Codex counts: `cached_input_tokens` and `cache_write_input_tokens` ⊂ `input_tokens`,
 * `reasoning_output_tokens` ⊂ `output_tokens`.
 */
export function fromCodexUsage(t: Totals): NormalizedUsage {
  return {
    uncachedInputTokens: t.input_tokens - t.cached_input_tokens - t.cache_write_input_tokens,
    cacheReadTokens: t.cached_input_tokens,
    cacheWrite5mTokens: t.cache_write_input_tokens,
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
 * Codex rollouts: `sessions/YYYY/MM/DD/rollout-*.jsonl` (and `archived_sessions/`), lines
 * `{timestamp, type, payload}`. `session_meta` gives the session id and cwd, `turn_context` the model.
 *
 * - Recent Codex versions write one `token_usage_record` per response (`payload.response_id`, `payload.usage`,
 *   also for the remote compaction call, with `cache_write_input_tokens` where the provider reports it): where
 *   a file has them, they are the truth and its `token_count` events are ignored.
 * - Older logs: `event_msg` with `payload.type = "token_count"` carries `info.last_token_usage` (the response
 *   just finished) and `info.total_token_usage` (cumulative). A report whose cumulative totals did not change
 *   is a repeat (Codex re-sends them with rate-limit updates); otherwise the response's usage is
 *   `last_token_usage`, and only without it the change in the totals (which is wrong across a resume).
 * - Events take the model of their turn; a legacy session whose model only appears in a later `turn_context`
 *   gets that model (the file's events are written once the file is read).
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
    const fromRecords: Pending[] = [];
    const fromCounts: Pending[] = [];
    const seenResponses = new Set<string>();
    for await (const line of readJsonLines(path, sink)) {
      const entry = record(line.value);
      const payload = record(entry.payload);
      if (entry.type === "session_meta") {
        if (typeof payload.id === "string") sessionId = payload.id;
        if (typeof payload.cwd === "string") projectId = payload.cwd;
        if (typeof payload.model_provider === "string" && payload.model_provider)
          provider = payload.model_provider;
        if (typeof payload.model === "string" && payload.model && !model) model = payload.model;
        continue;
      }
      if (entry.type === "turn_context") {
        if (typeof payload.model === "string") model = payload.model;
        if (typeof payload.cwd === "string") projectId = payload.cwd;
        continue;
      }
      const at = typeof entry.timestamp === "string" ? Date.parse(entry.timestamp) : Number.NaN;
      const isRecord =
        entry.type === "token_usage_record" ||
        (entry.type === "event_msg" && payload.type === "token_usage_record");
      if (isRecord) {
        const usage = readTotals(payload.usage ?? payload.token_usage);
        const responseId = typeof payload.response_id === "string" ? payload.response_id : null;
        if (!usage || !responseId || Number.isNaN(at)) {
          sink.malformed(line.number, "token_usage_record without response_id, usage or timestamp");
          continue;
        }
        if (seenResponses.has(responseId)) {
          sink.duplicate();
          continue;
        }
        seenResponses.add(responseId);
        const recordModel = typeof payload.model === "string" && payload.model ? payload.model : null;
        fromRecords.push({ key: `response:${responseId}`, at, usage, model: recordModel ?? model });
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
      if (Number.isNaN(at)) {
        sink.malformed(line.number, "missing or invalid timestamp");
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
        turn = last ?? (hasNegative(delta) ? total : delta);
        previous = total;
        key = `total:${total.total_tokens}:${total.input_tokens}:${total.output_tokens}`;
      } else {
        turn = last!;
        key = `line:${line.number}`;
      }
      fromCounts.push({ key, at, usage: turn, model });
    }
    // Per-response records are exact; token_count events are the fallback for logs without them.
    const chosen = fromRecords.length > 0 ? fromRecords : fromCounts;
    if (fromRecords.length > 0) for (let i = 0; i < fromCounts.length; i++) sink.duplicate();
    for (const p of chosen) {
      await sink.event({
        id: stableEventId(CODEX_AGENT, sessionId, p.key),
        timestamp: p.at,
        provider,
        model: p.model ?? model,
        operation: "responses",
        usage: fromCodexUsage(p.usage),
        usageSource: "import",
        attribution: { sessionId, ...(projectId ? { projectId } : {}), app: CODEX_AGENT },
      });
    }
  },
};

interface Pending {
  readonly key: string;
  readonly at: number;
  readonly usage: Totals;
  readonly model: string | null;
}
