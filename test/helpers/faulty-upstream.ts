import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake upstream speaking OpenAI's Chat Completions wire format (JSON and SSE) or Anthropic's Messages format,
 * on 127.0.0.1, with a fault mode that can change between requests:
 *
 * | mode          | behaviour                                                                   |
 * | ------------- | --------------------------------------------------------------------------- |
 * | `ok`          | a normal answer (10 stream chunks, usage in the last, then the terminal event) |
 * | `hang`        | accepts the request and never sends headers                                  |
 * | `slow-first`  | headers at once, the first stream byte after `delayMs`                       |
 * | `429`         | 429 with `Retry-After: retryAfterSeconds`                                    |
 * | `500` / `529` | that status with the provider's error body                                   |
 * | `400`         | 400 invalid request                                                          |
 * | `cut`         | a stream cut at 40 %: 4 of 10 chunks, then the socket is destroyed           |
 * | `clean-cut`   | 4 of 10 chunks, then a normal end without the terminal event                 |
 */
export type FaultMode = "ok" | "hang" | "slow-first" | "429" | "500" | "529" | "400" | "cut" | "clean-cut";

export interface FaultyUpstream {
  readonly url: string;
  /** OpenAI: `<url>/v1`; Anthropic: `<url>` */
  readonly baseURL: string;
  mode: FaultMode;
  delayMs: number;
  retryAfterSeconds: number;
  /** Requests received (including those never answered). */
  hits: number;
  /** `model` of each request received. */
  readonly models: string[];
  close(): Promise<void>;
}

export async function startFaultyUpstream(
  format: "openai" | "anthropic",
  label = "upstream",
): Promise<FaultyUpstream> {
  const state = {
    mode: "ok" as FaultMode,
    delayMs: 0,
    retryAfterSeconds: 1,
    hits: 0,
    models: [] as string[],
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.hits += 1;
      let body: { model?: string; stream?: boolean } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
      } catch {
        /* keep {} */
      }
      state.models.push(String(body.model));
      respond(res, format, label, body, state);
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api = {
    url,
    baseURL: format === "openai" ? `${url}/v1` : url,
    models: state.models,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  for (const k of ["mode", "delayMs", "retryAfterSeconds", "hits"] as const) {
    Object.defineProperty(api, k, {
      get: () => state[k],
      set: (v: never) => {
        state[k] = v;
      },
      enumerable: true,
    });
  }
  return api as FaultyUpstream;
}

interface State {
  mode: FaultMode;
  delayMs: number;
  retryAfterSeconds: number;
}

function respond(
  res: ServerResponse,
  format: "openai" | "anthropic",
  label: string,
  body: { model?: string; stream?: boolean },
  s: State,
): void {
  const model = body.model ?? "unknown";
  const json = (status: number, payload: unknown, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { "content-type": "application/json", "x-request-id": `req_${label}`, ...extra });
    res.end(JSON.stringify(payload));
  };
  const error = (status: number, type: string, extra: Record<string, string> = {}): void =>
    json(
      status,
      format === "openai"
        ? { error: { message: `${label}: ${type}`, type, param: null, code: null } }
        : { type: "error", error: { type, message: `${label}: ${type}` } },
      extra,
    );
  switch (s.mode) {
    case "hang":
      return;
    case "429":
      return error(429, "rate_limit_error", { "retry-after": String(s.retryAfterSeconds) });
    case "500":
      return error(500, "server_error");
    case "529":
      return error(529, "overloaded_error");
    case "400":
      return error(400, "invalid_request_error");
    default:
      break;
  }
  if (!body.stream) {
    return format === "openai"
      ? json(200, {
          id: "chatcmpl-1",
          object: "chat.completion",
          created: 1,
          model,
          choices: [
            {
              index: 0,
              message: { role: "assistant", content: `answer from ${label}` },
              finish_reason: "stop",
            },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        })
      : json(200, {
          id: "msg_1",
          type: "message",
          role: "assistant",
          model,
          content: [{ type: "text", text: `answer from ${label}` }],
          stop_reason: "end_turn",
          usage: { input_tokens: 10, output_tokens: 5 },
        });
  }
  res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": `req_${label}` });
  const events = format === "openai" ? openaiEvents(model, label) : anthropicEvents(model, label);
  const cutAt = s.mode === "cut" || s.mode === "clean-cut" ? 4 : events.length;
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (i >= cutAt) {
      if (s.mode === "cut") res.socket?.destroy();
      else res.end();
      return;
    }
    res.write(events[i++]);
    setTimeout(next, 1);
  };
  setTimeout(next, s.mode === "slow-first" ? s.delayMs : 0);
}

function openaiEvents(model: string, label: string): string[] {
  const chunk = (delta: object, extra: object = {}): string =>
    `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
  const out = [chunk({ role: "assistant", content: "" })];
  for (let i = 0; i < 7; i++) out.push(chunk({ content: `${label}-${i} ` }));
  out.push(
    `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model, choices: [], usage: { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 } })}\n\n`,
  );
  out.push("data: [DONE]\n\n");
  return out;
}

function anthropicEvents(model: string, label: string): string[] {
  const ev = (type: string, data: object): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const out = [
    ev("message_start", {
      message: {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model,
        content: [],
        usage: { input_tokens: 10, output_tokens: 1 },
      },
    }),
    ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
  ];
  for (let i = 0; i < 5; i++)
    out.push(ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: `${label}-${i} ` } }));
  out.push(ev("content_block_stop", { index: 0 }));
  out.push(ev("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 7 } }));
  out.push(ev("message_stop", {}));
  return out;
}
