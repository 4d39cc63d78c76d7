import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
}

/** A raw upstream whose answer each test scripts (for faults the provider fakes do not have). */
export interface ScriptedUpstream {
  readonly url: string;
  readonly received: Received[];
  answer: (req: Received, res: ServerResponse) => void | Promise<void>;
  close(): Promise<void>;
}

export async function startScriptedUpstream(): Promise<ScriptedUpstream> {
  const received: Received[] = [];
  const api = {
    url: "",
    received,
    answer: (_req: Received, res: ServerResponse): void => {
      res.writeHead(404).end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const r: Received = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(parts),
      };
      received.push(r);
      void api.answer(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}

export function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export const MESSAGE_START = sse("message_start", {
  type: "message_start",
  message: {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-6",
    content: [],
    usage: { input_tokens: 321, output_tokens: 1 },
  },
});
export const TEXT_DELTA = sse("content_block_delta", {
  type: "content_block_delta",
  index: 0,
  delta: { type: "text_delta", text: "hi" },
});
export const MESSAGE_DELTA = (out: number): string =>
  sse("message_delta", {
    type: "message_delta",
    delta: { stop_reason: null },
    usage: { output_tokens: out },
  });
