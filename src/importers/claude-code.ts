import { homedir } from "node:os";
import { basename, dirname, join, sep } from "node:path";
import type { UsageEventInput } from "../core/event.js";
import { fromAnthropicUsage } from "../usage/anthropic.js";
import { record } from "../usage/numbers.js";
import { parseWithoutContent } from "./json-skeleton.js";
import { LatestWins } from "./latest-wins.js";
import { scanLines } from "./line-scan.js";
import { stableEventId } from "./stable-id.js";
import type { AgentImporter, ParseEnd, ParseOptions, ParseSink } from "./types.js";
import { walkFiles } from "./walk.js";

export const CLAUDE_CODE_AGENT = "claude-code";

/** `projects` under each root of `$CLAUDE_CONFIG_DIR` (a comma-separated list), else `~/.claude/projects`. */
export function defaultClaudeCodeDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const roots = (env.CLAUDE_CONFIG_DIR ?? "")
    .split(",")
    .map((r) => r.trim())
    .filter((r) => r !== "");
  return (roots.length > 0 ? roots : [join(homedir(), ".claude")]).map((r) => join(r, "projects"));
}

/** The first of `defaultClaudeCodeDirs`. */
export function defaultClaudeCodeDir(env: NodeJS.ProcessEnv = process.env): string {
  return defaultClaudeCodeDirs(env)[0]!;
}

// Only lines carrying a usage object are parsed. A key with its raw quotes cannot occur inside a JSON string
// (quotes there are escaped), so message text that mentions "usage" never passes this filter by accident.
const USAGE = Buffer.from('"usage":{');
/** Distinct messages at the end of a file that may still be streaming (stored provisionally). */
const TAIL = 4;

/**
 * Claude Code transcripts: `projects/<encoded cwd>/<session id>.jsonl` (subagents: `<session id>/subagents/
 * agent-<id>.jsonl`), one JSON object per line. Assistant lines carry `message.{id, model, usage, stop_reason}`
 * plus `requestId`, `sessionId`, `cwd`, `timestamp`, `isSidechain` and, in a subagent's file, `agentId`.
 *
 * - One response is written as several lines (one per content block, usage updated as it streams); the last
 *   snapshot of a message id wins.
 * - A message is billed once: its event id comes from the message id alone. `/btw` side questions and resumed
 *   or forked sessions replay earlier messages with the same message id (and a new request id): same event.
 * - A subagent's requests go to its own session (`<parent session>/agent-<agentId>`), with the parent session in
 *   `metadata.parentSessionId`.
 * - The last messages of a file that have no `stop_reason` yet may still be streaming: they are stored and listed
 *   as provisional, and a later import that reads their final snapshot revises them.
 */
export const claudeCodeImporter: AgentImporter = {
  agent: CLAUDE_CODE_AGENT,
  resumable: true,
  listFiles: (root, onError) => walkFiles(root, (name) => name.endsWith(".jsonl"), onError),
  async parseFile(path: string, sink: ParseSink, options?: ParseOptions): Promise<ParseEnd> {
    const pending: UsageEventInput[] = [];
    const projectFromDir = projectDirOf(path);
    const fileSession = basename(path, ".jsonl");
    // The event is built once per message, from its last snapshot, when that snapshot leaves the window.
    const latest = new LatestWins<Snapshot>(2000, (s) => {
      pending.push(toEvent(s, projectFromDir, fileSession));
    });
    const tail = new StreamingTail();

    const end = await scanLines(path, {
      start: options?.startOffset ?? 0,
      startLine: options?.startLine ?? 0,
      needle: USAGE,
      onBytes: (n) => sink.bytes(n),
      other: (line, shapeOk) => {
        if (!shapeOk) sink.malformed(line, "invalid JSON (not a JSON object)");
      },
      candidate: (line, bytes, start, stop) => {
        const snapshot = readSnapshot(path, line, bytes, start, stop, sink);
        if (!snapshot) return;
        // No message id means no way to recognise snapshots of one response: each line stands alone.
        const key = snapshot.messageId ? `m:${snapshot.messageId}` : `line:${snapshot.lineId}`;
        if (latest.put(key, snapshot) !== "new") sink.duplicate();
        tail.saw(key, snapshot);
      },
      // Events go out between chunks, not per line: the sink may write to storage, and the scan stays synchronous.
      afterChunk: async () => {
        for (const e of pending.splice(0)) await sink.event(e);
      },
    });
    latest.flush();
    for (const e of pending.splice(0)) await sink.event(e);
    return { ...end, provisional: tail.provisionalIds() };
  },
};

/** One usage line, checked and parsed (message content skipped), or null when it is no billable response. */
function readSnapshot(
  path: string,
  line: number,
  bytes: Buffer,
  start: number,
  stop: number,
  sink: ParseSink,
): Snapshot | null {
  let value: unknown;
  try {
    value = parseWithoutContent(bytes, start, stop);
  } catch (error) {
    sink.malformed(line, `invalid JSON (${error instanceof Error ? error.message : String(error)})`);
    return null;
  }
  const entry = record(value);
  const message = record(entry.message);
  if (entry.type !== "assistant" || message.usage === undefined) return null; // user turns, summaries
  if (message.model === "<synthetic>") return null; // Claude Code's own placeholder replies, never billed
  if (typeof message.usage !== "object" || message.usage === null) {
    sink.malformed(line, "message.usage is not an object");
    return null;
  }
  const at = typeof entry.timestamp === "string" ? Date.parse(entry.timestamp) : Number.NaN;
  if (Number.isNaN(at)) {
    sink.malformed(line, "missing or invalid timestamp");
    return null;
  }
  const messageId = typeof message.id === "string" && message.id !== "" ? message.id : null;
  const requestId = typeof entry.requestId === "string" && entry.requestId !== "" ? entry.requestId : null;
  const lineId = typeof entry.uuid === "string" ? entry.uuid : `${path}:${line}`;
  return { entry, message, at, messageId, requestId, lineId };
}

/**
 * The last `TAIL` distinct messages of a file, most recent last, with whether their latest snapshot is final
 * (has a `stop_reason`). Those not final when the file ends may still be streaming: they become provisional.
 */
class StreamingTail {
  private readonly last = new Map<string, { ids: [string | null, string, string | null]; final: boolean }>();

  saw(key: string, s: Snapshot): void {
    const final = typeof s.message.stop_reason === "string" && s.message.stop_reason !== "";
    // Delete first so a message seen again moves to the end (Map keeps insertion order).
    this.last.delete(key);
    this.last.set(key, { ids: [s.messageId, s.lineId, s.requestId], final });
    if (this.last.size > TAIL) this.last.delete(this.last.keys().next().value!);
  }

  provisionalIds(): string[] {
    return [...this.last.values()].filter((t) => !t.final).map((t) => eventId(...t.ids));
  }
}

interface Snapshot {
  readonly entry: Record<string, unknown>;
  readonly message: Record<string, unknown>;
  readonly at: number;
  readonly messageId: string | null;
  readonly requestId: string | null;
  readonly lineId: string;
}

function eventId(messageId: string | null, lineId: string, requestId: string | null): string {
  return messageId
    ? stableEventId(CLAUDE_CODE_AGENT, "message", messageId)
    : stableEventId(CLAUDE_CODE_AGENT, lineId, requestId ?? "");
}

function toEvent(s: Snapshot, projectFromDir: string, fileSession: string): UsageEventInput {
  const { entry, message } = s;
  const parentSession = typeof entry.sessionId === "string" ? entry.sessionId : fileSession;
  const agentId = typeof entry.agentId === "string" && entry.agentId !== "" ? entry.agentId : null;
  return {
    id: eventId(s.messageId, s.lineId, s.requestId),
    timestamp: s.at,
    provider: "anthropic",
    model: typeof message.model === "string" ? message.model : null,
    operation: "messages",
    requestId: s.requestId,
    usage: fromAnthropicUsage(message.usage),
    usageSource: "import",
    status: entry.isApiErrorMessage === true ? "error" : "ok",
    attribution: {
      sessionId: agentId ? `${parentSession}/agent-${agentId}` : parentSession,
      projectId: typeof entry.cwd === "string" && entry.cwd !== "" ? entry.cwd : projectFromDir,
      app: CLAUDE_CODE_AGENT,
    },
    ...(agentId ? { metadata: { parentSessionId: parentSession, agentId } } : {}),
  };
}

/** The project folder: `projects/<encoded cwd>/...`, also for a subagent file two levels further down. */
function projectDirOf(path: string): string {
  const parts = dirname(path).split(sep);
  const at = parts.lastIndexOf("subagents");
  return at >= 2 ? parts[at - 2]! : basename(dirname(path));
}
