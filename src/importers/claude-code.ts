import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { UsageEventInput } from "../core/event.js";
import { fromAnthropicUsage } from "../usage/anthropic.js";
import { record } from "../usage/numbers.js";
import { LatestWins } from "./latest-wins.js";
import { readJsonLines } from "./line-reader.js";
import { stableEventId } from "./stable-id.js";
import type { AgentImporter, ParseOptions, ParseSink } from "./types.js";
import { walkFiles } from "./walk.js";

export const CLAUDE_CODE_AGENT = "claude-code";

/** `$CLAUDE_CONFIG_DIR/projects`, else `~/.claude/projects`. */
export function defaultClaudeCodeDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.CLAUDE_CONFIG_DIR?.split(",")[0]?.trim();
  return join(base || join(homedir(), ".claude"), "projects");
}

/**
 * Claude Code transcripts: `projects/<encoded cwd>/<session id>.jsonl`, one JSON object per line.
 * Assistant lines carry `message.{id, model, usage}` (Anthropic Messages usage) plus `requestId`,
 * `sessionId`, `cwd` and `timestamp`. One response is written as several lines (one per content block,
 * usage updated as it streams): they share message id + request id and the last one is final.
 */
export const claudeCodeImporter: AgentImporter = {
  agent: CLAUDE_CODE_AGENT,
  listFiles: (root) => walkFiles(root, (name) => name.endsWith(".jsonl")),
  async parseFile(path: string, sink: ParseSink, options?: ParseOptions): Promise<void> {
    const latest = new LatestWins<UsageEventInput>(2000, (e) => sink.event(e));
    const projectFromDir = basename(dirname(path));
    for await (const line of readJsonLines(path, sink)) {
      const entry = record(line.value);
      const message = record(entry.message);
      if (entry.type !== "assistant" || message.usage === undefined) continue; // user turns, summaries, tool results
      if (message.model === "<synthetic>") continue; // Claude Code's own placeholder replies, never billed
      if (typeof message.usage !== "object" || message.usage === null) {
        sink.malformed(line.number, "message.usage is not an object");
        continue;
      }
      const at = typeof entry.timestamp === "string" ? Date.parse(entry.timestamp) : Number.NaN;
      if (Number.isNaN(at)) {
        sink.malformed(line.number, "missing or invalid timestamp");
        continue;
      }
      const messageId = typeof message.id === "string" ? message.id : null;
      const requestId =
        typeof entry.requestId === "string" && entry.requestId !== "" ? entry.requestId : null;
      const lineId = typeof entry.uuid === "string" ? entry.uuid : `${path}:${line.number}`;
      // No message id means no way to recognise snapshots of one response: each line stands alone.
      const key = messageId ? `${messageId}:${requestId ?? ""}` : `line:${lineId}`;
      const sessionId = typeof entry.sessionId === "string" ? entry.sessionId : basename(path, ".jsonl");
      const input: UsageEventInput = {
        id: stableEventId(CLAUDE_CODE_AGENT, messageId ?? lineId, requestId ?? ""),
        timestamp: at,
        provider: "anthropic",
        model: typeof message.model === "string" ? message.model : null,
        operation: "messages",
        requestId,
        usage: fromAnthropicUsage(message.usage),
        usageSource: "import",
        status: entry.isApiErrorMessage === true ? "error" : "ok",
        attribution: {
          sessionId,
          projectId: typeof entry.cwd === "string" && entry.cwd !== "" ? entry.cwd : projectFromDir,
          app: CLAUDE_CODE_AGENT,
        },
      };
      const outcome = await latest.put(key, input);
      if (outcome !== "new") sink.duplicate();
    }
    // While Claude Code is still streaming into the file, its last message is not final yet: leave it
    // for the next import rather than storing a partial snapshot under its stable id.
    if (await latest.flush(options?.live === true)) sink.deferred();
  },
};
