import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A local Gemini REST API (`generativelanguage.googleapis.com` wire format, also answering Vertex-style paths):
 * `:generateContent` (JSON), `:streamGenerateContent?alt=sse` (server-sent events, one JSON response per
 * `data:` line), `:embedContent`, `:batchEmbedContents`, `:predict`. Tests script the replies; the real SDKs
 * talk to it through their base-URL options.
 */

export type GeminiTask =
  "generateContent" | "streamGenerateContent" | "embedContent" | "batchEmbedContents" | "predict";

export interface GeminiRequest {
  readonly task: GeminiTask;
  /** Model segment of the path, e.g. `gemini-2.5-flash`. */
  readonly model: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

export type StreamStep =
  | { readonly kind: "chunk"; readonly data: unknown }
  /** Pause (a slow model); a Promise holds the stream open until the test resolves it. */
  | { readonly kind: "wait"; readonly until: number | Promise<void> }
  /** Destroy the TCP connection mid-body (a dropped connection). */
  | { readonly kind: "reset" };

export type GeminiReply =
  | { readonly type: "json"; readonly body: unknown; readonly status?: number }
  | { readonly type: "error"; readonly status: number; readonly message: string }
  | { readonly type: "stream"; readonly steps: readonly StreamStep[] };

export type GeminiHandler = (request: GeminiRequest) => GeminiReply | Promise<GeminiReply>;

export interface GeminiServer {
  /** Base URL without version: `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly requests: GeminiRequest[];
  handle(handler: GeminiHandler): void;
  /** Back to the default replies. */
  reset(): void;
  close(): Promise<void>;
}

// Usage the default replies report (hand-checked in the tests): prompt 1200 of which 1000 cached, 50 tool-use
// prompt tokens, 300 visible output and 200 thinking tokens. Total = 1200 + 50 + 300 + 200.
export const FINAL_USAGE = {
  promptTokenCount: 1200,
  cachedContentTokenCount: 1000,
  toolUsePromptTokenCount: 50,
  candidatesTokenCount: 300,
  thoughtsTokenCount: 200,
  totalTokenCount: 1750,
  promptTokensDetails: [{ modality: "TEXT", tokenCount: 1200 }],
  cacheTokensDetails: [{ modality: "TEXT", tokenCount: 1000 }],
};

export const MODEL_VERSION = "gemini-2.5-flash-preview-09-2025";

let responseCounter = 0;
/** A response id shaped like Gemini's `responseId`. */
export function nextResponseId(): string {
  responseCounter++;
  return `kJ3aaPqZB${String(responseCounter).padStart(6, "0")}xYz`;
}

export function textResponse(
  text: string,
  usage: unknown = FINAL_USAGE,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    candidates: [{ content: { parts: [{ text }], role: "model" }, finishReason: "STOP", index: 0 }],
    usageMetadata: usage,
    modelVersion: MODEL_VERSION,
    responseId: nextResponseId(),
    ...extra,
  };
}

/**
 * The default stream: three chunks whose `usageMetadata` are running totals (as Gemini sends them); only the
 * last one is final. Summing them would triple-count the prompt.
 */
export function streamChunks(responseId = nextResponseId()): Record<string, unknown>[] {
  const base = {
    promptTokenCount: 1200,
    cachedContentTokenCount: 1000,
    toolUsePromptTokenCount: 50,
    promptTokensDetails: FINAL_USAGE.promptTokensDetails,
  };
  const chunk = (text: string, usage: Record<string, unknown>, finish?: string) => ({
    candidates: [
      {
        content: { parts: [{ text }], role: "model" },
        index: 0,
        ...(finish ? { finishReason: finish } : {}),
      },
    ],
    usageMetadata: { ...base, ...usage },
    modelVersion: MODEL_VERSION,
    responseId,
  });
  return [
    chunk("Hel", { candidatesTokenCount: 100, thoughtsTokenCount: 200, totalTokenCount: 1550 }),
    chunk("lo ", { candidatesTokenCount: 200, thoughtsTokenCount: 200, totalTokenCount: 1650 }),
    chunk("world", { ...FINAL_USAGE }, "STOP"),
  ];
}

export function defaultReply(request: GeminiRequest): GeminiReply {
  switch (request.task) {
    case "generateContent":
      return { type: "json", body: textResponse("Hello world") };
    case "streamGenerateContent":
      return { type: "stream", steps: streamChunks().map((data) => ({ kind: "chunk", data })) };
    case "embedContent":
      return { type: "json", body: { embedding: { values: [0.1, -0.2, 0.3] } } };
    case "batchEmbedContents": {
      const n = Array.isArray(request.body.requests) ? request.body.requests.length : 1;
      return {
        type: "json",
        body: { embeddings: Array.from({ length: n }, () => ({ values: [0.1, -0.2, 0.3] })) },
      };
    }
    case "predict":
      return {
        type: "json",
        body: {
          predictions: [
            { embeddings: { values: [0.1, 0.2], statistics: { token_count: 7, truncated: false } } },
          ],
          metadata: { billableCharacterCount: 31 },
        },
      };
  }
}

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  403: "PERMISSION_DENIED",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

// Headers a real Google front end sends (no request-id header: Gemini identifies a response by `responseId`).
function googleHeaders(contentType: string): Record<string, string> {
  return {
    "content-type": contentType,
    vary: "Origin, X-Origin, Referer",
    server: "scaffolding on HTTPServer2",
    "server-timing": "gfet4t7; dur=412",
    "x-xss-protection": "0",
    "x-frame-options": "SAMEORIGIN",
    "x-content-type-options": "nosniff",
  };
}

const PATH =
  /\/(?:models|publishers\/google\/models)\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents|predict)$/;

export async function startGeminiServer(): Promise<GeminiServer> {
  const requests: GeminiRequest[] = [];
  const sockets = new Set<Socket>();
  let handler: GeminiHandler = defaultReply;

  const server: Server = createServer((req, res) => {
    void serve(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = PATH.exec(url.pathname);
    if (!match || req.method !== "POST") {
      res
        .writeHead(404, googleHeaders("application/json; charset=UTF-8"))
        .end(
          JSON.stringify({ error: { code: 404, message: `no route ${url.pathname}`, status: "NOT_FOUND" } }),
        );
      return;
    }
    const request: GeminiRequest = {
      task: match[2] as GeminiTask,
      model: decodeURIComponent(match[1] ?? ""),
      path: url.pathname + url.search,
      headers: req.headers,
      body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
    };
    requests.push(request);
    const reply = await handler(request);
    if (reply.type === "json") {
      res
        .writeHead(reply.status ?? 200, googleHeaders("application/json; charset=UTF-8"))
        .end(JSON.stringify(reply.body));
      return;
    }
    if (reply.type === "error") {
      const body = {
        error: {
          code: reply.status,
          message: reply.message,
          status: STATUS_NAMES[reply.status] ?? "UNKNOWN",
        },
      };
      res.writeHead(reply.status, googleHeaders("application/json; charset=UTF-8")).end(JSON.stringify(body));
      return;
    }
    res.writeHead(200, googleHeaders("text/event-stream"));
    for (const step of reply.steps) {
      if (res.destroyed) return;
      if (step.kind === "chunk") res.write(`data: ${JSON.stringify(step.data)}\r\n\r\n`);
      else if (step.kind === "wait") await (typeof step.until === "number" ? delay(step.until) : step.until);
      else {
        // Let the bytes already written reach the client, then drop the connection.
        await delay(20);
        res.socket?.destroy();
        return;
      }
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(h) {
      handler = h;
    },
    reset() {
      handler = defaultReply;
      requests.length = 0;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
