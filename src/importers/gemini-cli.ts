import { stat, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { UsageEventInput } from "../core/event.js";
import { fromGeminiUsage } from "../usage/gemini.js";
import { record } from "../usage/numbers.js";
import { parseJsonLine, readJsonLines } from "./line-reader.js";
import { stableEventId } from "./stable-id.js";
import type { AgentImporter, ParseSink } from "./types.js";
import { walkFiles } from "./walk.js";

export const GEMINI_CLI_AGENT = "gemini-cli";

/** `$GEMINI_DIR` or `~/.gemini/tmp` (one folder per project hash, sessions under `chats/`). */
export function defaultGeminiCliDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.GEMINI_DIR || join(homedir(), ".gemini"), "tmp");
}

// A session is one JSON document that Gemini CLI rewrites whole; it cannot be streamed line by line.
const MAX_JSON_SESSION_BYTES = 256 * 1024 * 1024;

/**
 * Gemini CLI's chat recording (`~/.gemini/tmp/<project hash>/chats/session-*.json`): a
 * `ConversationRecord { sessionId, projectHash, messages[] }` whose `type: "gemini"` messages carry
 * `model` and `tokens { input, output, cached, thoughts, tool, total }` — the API's
 * `usageMetadata` (promptTokenCount, candidatesTokenCount, cachedContentTokenCount ⊂ prompt,
 * thoughtsTokenCount, toolUsePromptTokenCount). JSONL session files (one record per line) are read too.
 */
export const geminiCliImporter: AgentImporter = {
  agent: GEMINI_CLI_AGENT,
  listFiles: (root, onError) =>
    walkFiles(
      root,
      (name) => name.startsWith("session-") && (name.endsWith(".json") || name.endsWith(".jsonl")),
      onError,
    ),
  async parseFile(path: string, sink: ParseSink): Promise<void> {
    const fallbackProject = basename(dirname(dirname(path)));
    if (path.endsWith(".jsonl")) {
      let sessionId = basename(path, ".jsonl");
      let projectId = fallbackProject;
      for await (const line of readJsonLines(path, sink)) {
        const r = record(line.value);
        if (typeof r.sessionId === "string") sessionId = r.sessionId;
        if (typeof r.projectHash === "string") projectId = r.projectHash;
        const event = toEvent(r, sessionId, projectId);
        if (event === "malformed") sink.malformed(line.number, "gemini message without a valid timestamp");
        else if (event) await sink.event(event);
      }
      return;
    }
    const size = (await stat(path)).size;
    if (size > MAX_JSON_SESSION_BYTES) {
      sink.malformed(
        1,
        `session file is ${Math.round(size / 1e6)} MB, over the ${MAX_JSON_SESSION_BYTES / 1e6} MB limit for whole-document JSON; skipped`,
      );
      return;
    }
    const text = await readFile(path, "utf8");
    sink.bytes(size);
    const parsed = parseJsonLine(text);
    if (parsed === undefined) return;
    if (parsed instanceof Error || typeof parsed !== "object" || parsed === null) {
      sink.malformed(
        1,
        `invalid JSON session document (${parsed instanceof Error ? parsed.message : "not an object"})`,
      );
      return;
    }
    const doc = record(parsed);
    const sessionId = typeof doc.sessionId === "string" ? doc.sessionId : basename(path, ".json");
    const projectId = typeof doc.projectHash === "string" ? doc.projectHash : fallbackProject;
    const messages = Array.isArray(doc.messages) ? doc.messages : [];
    for (const [index, m] of messages.entries()) {
      const event = toEvent(record(m), sessionId, projectId);
      if (event === "malformed") sink.malformed(1, `messages[${index}] has no valid timestamp`);
      else if (event) await sink.event(event);
    }
  },
};

function toEvent(
  m: Record<string, unknown>,
  sessionId: string,
  projectId: string,
): UsageEventInput | "malformed" | null {
  if (m.type !== "gemini" || m.tokens === null || typeof m.tokens !== "object") return null;
  const at = typeof m.timestamp === "string" ? Date.parse(m.timestamp) : Number.NaN;
  if (Number.isNaN(at)) return "malformed";
  const t = record(m.tokens);
  const id = typeof m.id === "string" ? m.id : String(at);
  return {
    id: stableEventId(GEMINI_CLI_AGENT, sessionId, id),
    timestamp: at,
    provider: "gemini",
    model: typeof m.model === "string" ? m.model : null,
    operation: "generate_content",
    usage: fromGeminiUsage({
      promptTokenCount: t.input,
      candidatesTokenCount: t.output,
      cachedContentTokenCount: t.cached,
      thoughtsTokenCount: t.thoughts,
      toolUsePromptTokenCount: t.tool,
    }),
    usageSource: "import",
    attribution: { sessionId, projectId, app: GEMINI_CLI_AGENT },
  };
}
