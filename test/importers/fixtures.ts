import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export function tempDir(prefix = "tl-import-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeLines(path: string, lines: readonly (object | string)[]): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n");
  settle(path);
  return path;
}

/** One Claude Code assistant transcript line (the fields the importer reads, as Claude Code writes them). */
export function claudeLine(o: {
  messageId: string;
  requestId?: string;
  sessionId?: string;
  cwd?: string;
  timestamp: string;
  model?: string;
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
  /** `message.stop_reason` (null while streaming). */
  stop?: string;
  isSidechain?: boolean;
  agentId?: string;
}): object {
  return {
    parentUuid: null,
    isSidechain: o.isSidechain ?? false,
    ...(o.agentId ? { agentId: o.agentId } : {}),
    userType: "external",
    cwd: o.cwd ?? "/home/dev/app",
    sessionId: o.sessionId ?? "sess-1",
    version: "2.0.31",
    type: "assistant",
    message: {
      id: o.messageId,
      type: "message",
      role: "assistant",
      model: o.model ?? "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: "ok" }],
      stop_reason: o.stop ?? null,
      stop_sequence: null,
      usage: {
        input_tokens: o.input ?? 0,
        cache_creation_input_tokens: (o.cacheWrite ?? 0) + (o.cacheWrite1h ?? 0),
        cache_read_input_tokens: o.cacheRead ?? 0,
        ...(o.cacheWrite1h
          ? {
              cache_creation: {
                ephemeral_5m_input_tokens: o.cacheWrite ?? 0,
                ephemeral_1h_input_tokens: o.cacheWrite1h,
              },
            }
          : {}),
        output_tokens: o.output ?? 0,
        service_tier: "standard",
      },
    },
    requestId: o.requestId ?? `req_${o.messageId}`,
    uuid: `${o.messageId}-${Math.random().toString(16).slice(2)}`,
    timestamp: o.timestamp,
  };
}

export function codexTokenCount(timestamp: string, total: number[] | null, last: number[] | null): object {
  const usage = (t: number[]) => ({
    input_tokens: t[0],
    cached_input_tokens: t[1],
    output_tokens: t[2],
    reasoning_output_tokens: t[3],
    total_tokens: t[0]! + t[2]!,
  });
  return {
    timestamp,
    type: "event_msg",
    payload: {
      type: "token_count",
      info:
        total || last
          ? {
              ...(total ? { total_token_usage: usage(total) } : {}),
              ...(last ? { last_token_usage: usage(last) } : {}),
              model_context_window: 272000,
            }
          : null,
      rate_limits: { primary: { used_percent: 7, window_minutes: 300 } },
    },
  };
}

/** Date the file an hour back: a file modified moments ago counts as still being written by the agent. */
export function settle(path: string): void {
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(path, past, past);
}
