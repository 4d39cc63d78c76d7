/**
 * A local HTTP server that speaks the Anthropic Messages wire format, for driving the REAL `@anthropic-ai/sdk`
 * (pointed at it with `baseURL`). Replies are queued per test (`enqueue`) or built from the request by default:
 * JSON `Message` bodies, `text/event-stream` event streams, error bodies with the API's headers, dropped
 * connections and streams that stall until the client goes away.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface SseEvent {
  readonly event: string;
  readonly data: unknown;
}

export type Reply =
  | {
      readonly kind: "json";
      readonly status?: number;
      readonly body: unknown;
      readonly headers?: Readonly<Record<string, string>>;
      /** Wait before sending the headers. */
      readonly delayMs?: number;
    }
  | {
      readonly kind: "sse";
      readonly events: readonly (SseEvent | string)[];
      readonly headers?: Readonly<Record<string, string>>;
      /** Pause between events. */
      readonly gapMs?: number;
      /** After this many events: "reset" destroys the socket, "stall" sends nothing more until the client leaves. */
      readonly cut?: { readonly after: number; readonly how: "reset" | "stall" };
    }
  | {
      /** Accept the request and never answer (for aborts before the response). */
      readonly kind: "hang";
    };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: any;
}

export interface UsageShape {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
  readonly cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number } | null;
  readonly server_tool_use?: { web_search_requests: number; web_fetch_requests?: number } | null;
  readonly output_tokens_details?: { thinking_tokens: number } | null;
  readonly service_tier?: string | null;
}

let counter = 0;
export function requestId(): string {
  counter += 1;
  return `req_011CTest${String(counter).padStart(12, "0")}`;
}

/** The headers the API answers with. */
export function apiHeaders(id = requestId()): Record<string, string> {
  return {
    "request-id": id,
    "anthropic-organization-id": "3f1e0c2a-0000-4000-8000-000000000000",
    via: "1.1 google",
    "cf-ray": "8f0c0ffee0000000-AMS",
  };
}

export function usage(u: Partial<UsageShape> = {}): UsageShape {
  return {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    server_tool_use: null,
    service_tier: "standard",
    ...u,
  };
}

/** A non-streamed `Message`. */
export function message(
  opts: { model?: string; usage?: Partial<UsageShape>; text?: string; id?: string } = {},
): Record<string, unknown> {
  return {
    id: opts.id ?? "msg_01XFDUDYJgAACzvnptvVoYEL",
    type: "message",
    role: "assistant",
    model: opts.model ?? "claude-sonnet-4-6",
    content: [{ type: "text", text: opts.text ?? "Hello!" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: usage(opts.usage),
  };
}

/**
 * A streamed answer, as the API sends it: `message_start` (input and cache counts, provisional output),
 * content blocks, then one or more `message_delta` events whose usage is CUMULATIVE, then `message_stop`.
 */
export function messageEvents(opts: {
  model?: string;
  start: Partial<UsageShape>;
  deltas: readonly Partial<UsageShape>[];
  text?: readonly string[];
}): SseEvent[] {
  const text = opts.text ?? ["Hel", "lo", "!"];
  const events: SseEvent[] = [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: { ...message({ model: opts.model, usage: opts.start }), content: [], stop_reason: null },
      },
    },
    {
      event: "content_block_start",
      data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    },
    { event: "ping", data: { type: "ping" } },
    ...text.map((t) => ({
      event: "content_block_delta",
      data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: t } },
    })),
    { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
  ];
  opts.deltas.forEach((d, i) => {
    events.push({
      event: "message_delta",
      data: {
        type: "message_delta",
        delta: i === opts.deltas.length - 1 ? { stop_reason: "end_turn", stop_sequence: null } : {},
        usage: d,
      },
    });
  });
  events.push({ event: "message_stop", data: { type: "message_stop" } });
  return events;
}

export function errorBody(type: string, messageText: string, id = requestId()): Record<string, unknown> {
  return { type: "error", error: { type, message: messageText }, request_id: id };
}

export class AnthropicServer {
  readonly requests: RecordedRequest[] = [];
  #queue: Reply[] = [];
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  #url = "";
  /** Built from the request when nothing is queued. */
  fallback: (req: RecordedRequest) => Reply = defaultReply;

  get url(): string {
    return this.#url;
  }

  enqueue(...replies: Reply[]): void {
    this.#queue.push(...replies);
  }

  reset(): void {
    this.#queue = [];
    this.requests.length = 0;
    this.fallback = defaultReply;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.#handle(req, res));
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.#server = server;
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep the text */
    }
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body,
    };
    this.requests.push(recorded);
    const reply = this.#queue.shift() ?? this.fallback(recorded);
    await send(reply, res);
  }
}

async function send(reply: Reply, res: ServerResponse): Promise<void> {
  if (reply.kind === "hang") return; // closed by the client's abort or by close()
  if (reply.kind === "json") {
    if (reply.delayMs) await sleep(reply.delayMs);
    if (res.destroyed) return;
    const payload = JSON.stringify(reply.body);
    res.writeHead(reply.status ?? 200, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(payload)),
      ...apiHeaders(),
      ...reply.headers,
    });
    res.end(payload);
    return;
  }
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    ...apiHeaders(),
    ...reply.headers,
  });
  res.flushHeaders();
  let sent = 0;
  for (const e of reply.events) {
    if (reply.cut && sent === reply.cut.after) {
      if (reply.cut.how === "reset") res.socket?.destroy();
      return; // "stall": leave the response open
    }
    if (reply.gapMs) await sleep(reply.gapMs);
    if (res.destroyed) return;
    res.write(typeof e === "string" ? e : `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    sent += 1;
  }
  res.end();
}

/** Default: a successful answer whose output count equals the request's `max_tokens`, so each call is identifiable. */
export function defaultReply(req: RecordedRequest): Reply {
  const body = (req.body ?? {}) as { model?: string; max_tokens?: number; stream?: boolean };
  const model = body.model ?? "claude-sonnet-4-6";
  const out = body.max_tokens ?? 1;
  if (body.stream) {
    return {
      kind: "sse",
      events: messageEvents({
        model,
        start: { input_tokens: 10, output_tokens: 1 },
        deltas: [{ output_tokens: out }],
      }),
    };
  }
  return { kind: "json", body: message({ model, usage: { input_tokens: 10, output_tokens: out } }) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function startAnthropicServer(): Promise<AnthropicServer> {
  return new AnthropicServer().start();
}
