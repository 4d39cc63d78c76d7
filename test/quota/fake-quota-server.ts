import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A scripted answer: status, JSON body (or raw text), headers, optional delay. */
export interface Answer {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/**
 * A local HTTP server speaking OpenRouter's and GitHub's response shapes. Each path maps to an answer or a
 * function of the request (for sequences such as 500-then-200 or the device flow's pending-then-token).
 */
export async function fakeQuotaServer(
  routes: Record<string, Answer | ((req: SeenRequest, n: number) => Answer)>,
) {
  const seen: SeenRequest[] = [];
  const counts = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.setEncoding("utf8").on("data", (d: string) => (body += d));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0]!;
      const r: SeenRequest = { method: req.method ?? "GET", path, headers: req.headers, body };
      seen.push(r);
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const route = routes[path];
      const answer: Answer =
        route === undefined
          ? { status: 404, json: { message: "Not Found" } }
          : typeof route === "function"
            ? route(r, n)
            : route;
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status ?? 200, {
          "content-type": answer.text !== undefined ? "text/html" : "application/json",
          ...answer.headers,
        });
        res.end(answer.text ?? JSON.stringify(answer.json ?? {}));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
