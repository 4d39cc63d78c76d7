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
    const s = newSession(basename(path, ".jsonl").replace(/^rollout-/, ""));
    for await (const line of readJsonLines(path, sink)) {
      const entry = record(line.value);
      const payload = record(entry.payload);
      if (readContext(entry.type, payload, s)) continue;
      const at = typeof entry.timestamp === "string" ? Date.parse(entry.timestamp) : Number.NaN;
      const isRecord =
        entry.type === "token_usage_record" ||
        (entry.type === "event_msg" && payload.type === "token_usage_record");
      if (isRecord) readUsageRecord(payload, at, line.number, sink, s);
      else if (entry.type === "event_msg" && payload.type === "token_count")
        readTokenCount(payload, at, line.number, sink, s);
    }
    await emitEvents(s, sink);
  },
};

/** What one rollout file has told so far; events are written only once the whole file is read. */
interface Session {
  sessionId: string;
  projectId: string | null;
  model: string | null;
  provider: string;
  /** The last cumulative `total_token_usage` seen, to tell a new response from a repeated report. */
  previous: Totals | undefined;
  readonly fromRecords: Pending[];
  readonly fromCounts: Pending[];
  readonly seenResponses: Set<string>;
}

function newSession(sessionId: string): Session {
  return {
    sessionId,
    projectId: null,
    model: null,
    provider: "openai",
    previous: undefined,
    fromRecords: [],
    fromCounts: [],
    seenResponses: new Set(),
  };
}

/** `session_meta` and `turn_context` lines: session id, project, provider and the current model. */
function readContext(type: unknown, payload: Record<string, unknown>, s: Session): boolean {
  if (type === "session_meta") {
    if (typeof payload.id === "string") s.sessionId = payload.id;
    if (typeof payload.cwd === "string") s.projectId = payload.cwd;
    if (typeof payload.model_provider === "string" && payload.model_provider)
      s.provider = payload.model_provider;
    // The meta's model is only a default: a `turn_context` seen earlier names the model actually used.
    if (typeof payload.model === "string" && payload.model && !s.model) s.model = payload.model;
    return true;
  }
  if (type === "turn_context") {
    if (typeof payload.model === "string") s.model = payload.model;
    if (typeof payload.cwd === "string") s.projectId = payload.cwd;
    return true;
  }
  return false;
}

/** A per-response `token_usage_record`: exact, keyed by response id (a repeated id is a duplicate). */
function readUsageRecord(
  payload: Record<string, unknown>,
  at: number,
  line: number,
  sink: ParseSink,
  s: Session,
): void {
  const usage = readTotals(payload.usage ?? payload.token_usage);
  const responseId = typeof payload.response_id === "string" ? payload.response_id : null;
  if (!usage || !responseId || Number.isNaN(at)) {
    sink.malformed(line, "token_usage_record without response_id, usage or timestamp");
    return;
  }
  if (s.seenResponses.has(responseId)) {
    sink.duplicate();
    return;
  }
  s.seenResponses.add(responseId);
  const recordModel = typeof payload.model === "string" && payload.model ? payload.model : null;
  s.fromRecords.push({ key: `response:${responseId}`, at, usage, model: recordModel ?? s.model });
}

/** A legacy `token_count` event (see the importer's comment for how repeats and resumes are told apart). */
function readTokenCount(
  payload: Record<string, unknown>,
  at: number,
  line: number,
  sink: ParseSink,
  s: Session,
): void {
  if (payload.info === null || payload.info === undefined) return; // rate-limit only update
  const info = record(payload.info);
  const total = readTotals(info.total_token_usage);
  const last = readTotals(info.last_token_usage);
  if (!total && !last) {
    sink.malformed(line, "token_count without readable total_token_usage or last_token_usage");
    return;
  }
  if (Number.isNaN(at)) {
    sink.malformed(line, "missing or invalid timestamp");
    return;
  }
  if (!total) {
    s.fromCounts.push({ key: `line:${line}`, at, usage: last!, model: s.model });
    return;
  }
  const delta = s.previous ? minus(total, s.previous) : total;
  if (isZero(delta)) {
    sink.duplicate();
    return;
  }
  // A negative delta means the totals restarted (a resumed session): the delta would be wrong, the total is not.
  const turn = last ?? (hasNegative(delta) ? total : delta);
  s.previous = total;
  const key = `total:${total.total_tokens}:${total.input_tokens}:${total.output_tokens}`;
  s.fromCounts.push({ key, at, usage: turn, model: s.model });
}

async function emitEvents(s: Session, sink: ParseSink): Promise<void> {
  // Per-response records are exact; token_count events are the fallback for logs without them.
  const chosen = s.fromRecords.length > 0 ? s.fromRecords : s.fromCounts;
  if (s.fromRecords.length > 0) for (let i = 0; i < s.fromCounts.length; i++) sink.duplicate();
  const { sessionId, projectId, provider } = s;
  for (const p of chosen) {
    await sink.event({
      id: stableEventId(CODEX_AGENT, sessionId, p.key),
      timestamp: p.at,
      provider,
      model: p.model ?? s.model,
      operation: "responses",
      usage: fromCodexUsage(p.usage),
      usageSource: "import",
      attribution: { sessionId, ...(projectId ? { projectId } : {}), app: CODEX_AGENT },
    });
  }
}

interface Pending {
  readonly key: string;
  readonly at: number;
  readonly usage: Totals;
  readonly model: string | null;
}
