import {
  constants,
  createServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from "node:http2";
import type { AddressInfo, Socket } from "node:net";
import { EventStreamCodec } from "@smithy/eventstream-codec";

/**
 * A local Bedrock Runtime: REST+JSON for `converse` / `invoke`, AWS event-stream binary framing for
 * `converse-stream` / `invoke-with-response-stream`. Tests script each reply; the real SDK talks to it.
 * It speaks cleartext HTTP/2, because the client's default request handler is `NodeHttp2Handler`.
 */

export type BedrockOperation =
  | "converse"
  | "converse-stream"
  | "invoke"
  | "invoke-with-response-stream"
  /** Answered once the client ends its input stream (the fake reads the whole request first). */
  | "invoke-with-bidirectional-stream";

export interface ReceivedRequest {
  readonly operation: BedrockOperation;
  readonly modelId: string;
  readonly headers: Http2ServerRequest["headers"];
  readonly body: string;
}

/** One event-stream frame. `exception` frames become the SDK's modelled stream exceptions. */
export type Frame =
  | { readonly kind: "event"; readonly eventType: string; readonly payload: unknown }
  | { readonly kind: "exception"; readonly exceptionType: string; readonly payload: unknown }
  /** Pause between frames (a slow model, or a test wanting the stream still open). */
  | { readonly kind: "wait"; readonly until: Promise<void> | number }
  /**
   * Break the connection mid-stream. `drop`: the TCP socket is destroyed (over HTTP/2 the SDK then ends the
   * stream quietly, as if complete); `rst`: the HTTP/2 stream is reset with INTERNAL_ERROR (the SDK throws).
   */
  | { readonly kind: "reset"; readonly mode: "drop" | "rst" };

export type Reply =
  | {
      readonly type: "json";
      readonly status?: number;
      readonly body: unknown;
      readonly headers?: Record<string, string>;
    }
  | { readonly type: "error"; readonly status: number; readonly errorType: string; readonly message: string }
  | { readonly type: "stream"; readonly frames: readonly Frame[]; readonly headers?: Record<string, string> };

export type Handler = (request: ReceivedRequest) => Reply | Promise<Reply>;

export interface BedrockServer {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Replace how the server answers (the default answers every operation with a small success). */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

let requestCounter = 0;
/** A request id shaped like Bedrock's (a UUID). */
export function nextRequestId(): string {
  requestCounter++;
  return `0b7e1f2a-4c3d-4e5f-8a9b-${String(requestCounter).padStart(12, "0")}`;
}

/** Encode one frame as Bedrock does; `p` is the padding field real Bedrock adds against length side channels. */
export function encodeFrame(frame: Extract<Frame, { kind: "event" | "exception" }>): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify({ ...(frame.payload as object), p: "abcdefghij" }));
  const headers: Record<string, { type: "string"; value: string }> =
    frame.kind === "event"
      ? {
          ":event-type": { type: "string" as const, value: frame.eventType },
          ":content-type": { type: "string" as const, value: "application/json" },
          ":message-type": { type: "string" as const, value: "event" },
        }
      : {
          ":exception-type": { type: "string" as const, value: frame.exceptionType },
          ":content-type": { type: "string" as const, value: "application/json" },
          ":message-type": { type: "string" as const, value: "exception" },
        };
  return codec.encode({ headers, body });
}

/** An InvokeModelWithResponseStream `chunk` event carrying one native model event (base64 JSON bytes). */
export function chunk(nativeEvent: unknown): Frame {
  return {
    kind: "event",
    eventType: "chunk",
    payload: { bytes: Buffer.from(JSON.stringify(nativeEvent)).toString("base64") },
  };
}

export function event(eventType: string, payload: unknown): Frame {
  return { kind: "event", eventType, payload };
}

const PATH =
  /^\/model\/([^/]+)\/(converse-stream|converse|invoke-with-response-stream|invoke-with-bidirectional-stream|invoke)$/;

export async function startBedrockServer(handler?: Handler): Promise<BedrockServer> {
  let current: Handler = handler ?? defaultHandler;
  const requests: ReceivedRequest[] = [];
  const sessions = new Set<Http2Session>();
  const server: Http2Server = createServer((req, res) => {
    void serve(req, res);
  });
  // Raw TCP sockets by client port: the session's own socket proxy refuses to be destroyed.
  const sockets = new Map<number, Socket>();
  server.on("connection", (socket: Socket) => {
    const port = socket.remotePort ?? -1;
    sockets.set(port, socket);
    socket.on("close", () => sockets.delete(port));
  });
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });

  async function serve(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const match = PATH.exec(req.url ?? "");
    if (req.method !== "POST" || !match) {
      res.writeHead(404, {
        "content-type": "application/json",
        "x-amzn-errortype": "UnknownOperationException",
      });
      res.end(JSON.stringify({ message: `no route ${req.method} ${req.url}` }));
      return;
    }
    const received: ReceivedRequest = {
      operation: match[2] as BedrockOperation,
      modelId: decodeURIComponent(match[1] ?? ""),
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    requests.push(received);
    const reply = await current(received);
    const requestId = nextRequestId();
    if (reply.type === "json") {
      res.writeHead(reply.status ?? 200, {
        "content-type": "application/json",
        "x-amzn-requestid": requestId,
        ...reply.headers,
      });
      res.end(JSON.stringify(reply.body));
      return;
    }
    if (reply.type === "error") {
      res.writeHead(reply.status, {
        "content-type": "application/json",
        "x-amzn-requestid": requestId,
        "x-amzn-errortype": `${reply.errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      });
      res.end(JSON.stringify({ message: reply.message }));
      return;
    }
    res.writeHead(200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-requestid": requestId,
      "x-amzn-bedrock-content-type": "application/json",
      ...reply.headers,
    });
    let closed = false;
    res.on("close", () => (closed = true));
    for (const frame of reply.frames) {
      if (frame.kind === "wait") {
        await (typeof frame.until === "number"
          ? new Promise((r) => setTimeout(r, frame.until as number))
          : frame.until);
        continue;
      }
      if (frame.kind === "reset") {
        if (frame.mode === "rst") req.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
        else sockets.get(req.stream.session?.socket.remotePort ?? -1)?.destroy();
        return;
      }
      if (closed) return;
      res.write(encodeFrame(frame));
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(h) {
      current = h;
    },
    async close() {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ------------------------------------------------------------------ canned replies

export const CONVERSE_USAGE = {
  inputTokens: 1000,
  outputTokens: 300,
  totalTokens: 8300,
  cacheReadInputTokens: 5000,
  cacheWriteInputTokens: 2000,
};

export function converseReply(usage: unknown = CONVERSE_USAGE, extra: Record<string, unknown> = {}): Reply {
  return {
    type: "json",
    body: {
      output: { message: { role: "assistant", content: [{ text: "Hello there" }] } },
      stopReason: "end_turn",
      usage,
      metrics: { latencyMs: 321 },
      ...extra,
    },
  };
}

export function converseStreamFrames(
  usage: unknown = CONVERSE_USAGE,
  extraMetadata: Record<string, unknown> = {},
): Frame[] {
  return [
    event("messageStart", { role: "assistant" }),
    event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hel" } }),
    event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "lo" } }),
    event("contentBlockStop", { contentBlockIndex: 0 }),
    event("messageStop", { stopReason: "end_turn" }),
    event("metadata", { usage, metrics: { latencyMs: 222 }, ...extraMetadata }),
  ];
}

/** Anthropic Messages streaming events as Bedrock relays them, with the invocation metrics on the last chunk. */
export function anthropicStreamFrames(
  opts: { input?: number; read?: number; write?: number; output?: number } = {},
): Frame[] {
  const { input = 1000, read = 5000, write = 2000, output = 300 } = opts;
  return [
    chunk({
      type: "message_start",
      message: {
        id: "msg_bdrk_01",
        type: "message",
        role: "assistant",
        model: "claude-3-5-sonnet-20241022",
        content: [],
        usage: {
          input_tokens: input,
          cache_read_input_tokens: read,
          cache_creation_input_tokens: write,
          output_tokens: 1,
        },
      },
    }),
    chunk({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
    chunk({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } }),
    chunk({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: " there" } }),
    chunk({ type: "content_block_stop", index: 0 }),
    chunk({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: output } }),
    chunk({
      type: "message_stop",
      "amazon-bedrock-invocationMetrics": {
        inputTokenCount: input,
        outputTokenCount: output,
        invocationLatency: 812,
        firstByteLatency: 95,
        cacheReadInputTokenCount: read,
        cacheWriteInputTokenCount: write,
      },
    }),
  ];
}

/** Every operation answered with a small success (Claude bodies for the invoke operations). */
export function defaultHandler(req: ReceivedRequest): Reply {
  switch (req.operation) {
    case "converse":
      return converseReply();
    case "converse-stream":
      return { type: "stream", frames: converseStreamFrames() };
    case "invoke":
      return {
        type: "json",
        body: {
          id: "msg_bdrk_02",
          type: "message",
          role: "assistant",
          content: [{ type: "text", text: "Hi" }],
          usage: {
            input_tokens: 1000,
            cache_read_input_tokens: 5000,
            cache_creation_input_tokens: 2000,
            output_tokens: 300,
          },
        },
        headers: {
          "x-amzn-bedrock-input-token-count": "1000",
          "x-amzn-bedrock-output-token-count": "300",
          "x-amzn-bedrock-cache-read-input-token-count": "5000",
          "x-amzn-bedrock-cache-write-input-token-count": "2000",
          "x-amzn-bedrock-invocation-latency": "812",
        },
      };
    case "invoke-with-response-stream":
      return { type: "stream", frames: anthropicStreamFrames() };
    case "invoke-with-bidirectional-stream":
      return { type: "stream", frames: [chunk({ event: { textOutput: { content: "Hi" } } })] };
  }
}
