import {
  message,
  messageEvents,
  type RecordedRequest,
  type Reply,
  type SseEvent,
  type UsageShape,
} from "../helpers/anthropic-server.js";

/** One call the fake upstream answered with usage: what the ledger must show for it. */
export interface BilledCall {
  readonly requestId: string;
  readonly path: string;
  readonly usage: Required<Pick<UsageShape, "input_tokens" | "output_tokens">> & {
    readonly cache_read_input_tokens: number;
    readonly cache_creation_input_tokens: number;
  };
}

export interface ScriptOptions {
  /** Answer the next call with the API's "prompt is too long" 400 (not billed): Claude Code then compacts. */
  readonly promptTooLong?: () => boolean;
}

/** The request id of the calls answered "prompt is too long" (not billed, but the proxy records the error). */
export const TOO_LONG_REQUEST_ID = "req_011CAgentsRealTooLong0";

export const SUBAGENT_MARKER = "SUBAGENT-TASK";
const BASH_ID = "toolu_01TokenledgerBash0000001";
const AGENT_ID = "toolu_01TokenledgerAgent000001";

type Block = { type?: string; text?: string; tool_use_id?: string };

/**
 * A scripted Claude session: the main agent runs a Bash command, then delegates to a subagent, then answers.
 * Every call gets its own request id and token counts (call n: 100n+3 in, 10n+1 out, 1000n cache read, 7n cache
 * write), so each ledger row can be matched to the call that billed it.
 */
export function scriptedClaude(
  billed: BilledCall[],
  options: ScriptOptions = {},
): (req: RecordedRequest) => Reply {
  return (req) => {
    const body = (req.body ?? {}) as { model?: string; messages?: { role: string; content: unknown }[] };
    const model = body.model ?? "claude-sonnet-4-6";
    if (!req.path.startsWith("/v1/messages") || req.path.startsWith("/v1/messages/count_tokens")) {
      // count_tokens and other probes are not billed.
      return { kind: "json", body: { input_tokens: 42 } };
    }
    if (options.promptTooLong?.()) {
      return {
        kind: "json",
        status: 400,
        headers: { "request-id": TOO_LONG_REQUEST_ID },
        body: {
          type: "error",
          error: {
            type: "invalid_request_error",
            message: "prompt is too long: 215000 tokens > 200000 maximum",
          },
        },
      };
    }
    const n = billed.length + 1;
    const usage = {
      input_tokens: 100 * n + 3,
      output_tokens: 10 * n + 1,
      cache_read_input_tokens: 1000 * n,
      cache_creation_input_tokens: 7 * n,
    };
    const requestId = `req_011CAgentsReal${String(n).padStart(8, "0")}`;
    billed.push({ requestId, path: req.path, usage });
    const headers = { "request-id": requestId };
    const blocks = lastUserBlocks(body.messages ?? []);
    const answered = new Set(blocks.filter((b) => b.type === "tool_result").map((b) => b.tool_use_id));
    // The subagent gets the marker as its own prompt; the main agent only has it inside its Agent tool call.
    const isSubagent = userText(body.messages ?? []).includes(SUBAGENT_MARKER);
    let tool: { id: string; name: string; input: unknown } | null = null;
    if (isSubagent || answered.has(AGENT_ID) || billed.length > 12) {
      tool = null; // the subagent's answer, the final answer, or a runaway loop stopped
    } else if (answered.size === 0 && !hasToolResults(body.messages ?? [])) {
      tool = {
        id: BASH_ID,
        name: "Bash",
        input: { command: "echo tokenledger-tool-ok", description: "Echo" },
      };
    } else if (answered.has(BASH_ID)) {
      tool = {
        id: AGENT_ID,
        name: "Agent",
        input: {
          description: "Say hi",
          prompt: `${SUBAGENT_MARKER}: reply with hi`,
          subagent_type: "general-purpose",
        },
      };
    }
    const text = isSubagent ? "hi" : "All done.";
    const events = tool ? toolUseEvents(model, usage, tool) : textEvents(model, usage, text);
    return { kind: "sse", events, headers };
  };
}

function lastUserBlocks(messages: { role: string; content: unknown }[]): Block[] {
  const last = messages[messages.length - 1];
  return last && Array.isArray(last.content) ? (last.content as Block[]) : [];
}

function hasToolResults(messages: { role: string; content: unknown }[]): boolean {
  return messages.some(
    (m) => Array.isArray(m.content) && (m.content as Block[]).some((b) => b.type === "tool_result"),
  );
}

/** The text the user side wrote (prompts, reminders), not tool results. */
function userText(messages: { role: string; content: unknown }[]): string {
  return messages
    .filter((m) => m.role === "user")
    .map((m) =>
      typeof m.content === "string" ? m.content : (m.content as Block[]).map((b) => b.text ?? "").join("\n"),
    )
    .join("\n");
}

function textEvents(model: string, usage: BilledCall["usage"], text: string): SseEvent[] {
  const { output_tokens, ...start } = usage;
  return messageEvents({
    model,
    start: { ...start, output_tokens: 1 },
    deltas: [{ output_tokens }],
    text: [text],
  });
}

function toolUseEvents(
  model: string,
  usage: BilledCall["usage"],
  tool: { id: string; name: string; input: unknown },
): SseEvent[] {
  const { output_tokens, ...start } = usage;
  return [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: {
          ...message({ model, usage: { ...start, output_tokens: 1 } }),
          content: [],
          stop_reason: null,
        },
      },
    },
    {
      event: "content_block_start",
      data: {
        type: "content_block_start",
        index: 0,
        content_block: { type: "tool_use", id: tool.id, name: tool.name, input: {} },
      },
    },
    {
      event: "content_block_delta",
      data: {
        type: "content_block_delta",
        index: 0,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(tool.input) },
      },
    },
    { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
    {
      event: "message_delta",
      data: {
        type: "message_delta",
        delta: { stop_reason: "tool_use", stop_sequence: null },
        usage: { output_tokens },
      },
    },
    { event: "message_stop", data: { type: "message_stop" } },
  ];
}
