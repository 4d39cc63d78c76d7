/**
 * The server processes of bench/proxy.ts, one role per child process (so each has its own CPU time):
 * `upstream` (a fake provider streaming Chat Completions SSE), `node-pass` (node:http piped to the upstream,
 * nothing parsed), `undici-pass` (the same with undici.request, the transport the proxy uses) and `proxy`.
 * Each listens on 127.0.0.1:0, sends its port to the parent, and answers `{ cmd: "stats" }` with CPU and RSS.
 */
import { createServer, request as httpRequest, Agent as HttpAgent, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { TokenTracker } from "../src/core/tracker.js";
import { startProxyServer } from "../src/proxy/index.js";
import { NullStorage } from "./null-storage.js";

const role = process.env.PROXY_BENCH_ROLE;
const upstream = process.env.PROXY_BENCH_UPSTREAM ?? "";

/** ~100-byte Chat Completions chunks, the usage chunk and [DONE]. */
function chunks(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 18; i++)
    out.push(
      `data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"delta":{"content":"tok${i}"}}]}\n\n`,
    );
  out.push(
    `data: {"id":"c1","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":18,"total_tokens":28}}\n\n`,
  );
  out.push("data: [DONE]\n\n");
  return out;
}
const CHUNKS = chunks();

/** Zero delay: 20 writes at once. `?slow`: headers and the first chunk after 50 ms, then a chunk every 5 ms. */
function answer(url: string, res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": "req_bench" });
  if (!url.includes("slow")) {
    for (const c of CHUNKS) res.write(c);
    res.end();
    return;
  }
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (i === CHUNKS.length) return void res.end();
    res.write(CHUNKS[i++]);
    setTimeout(next, 5);
  };
  setTimeout(next, 50);
}

/** undici refuses connection-level headers; drop them (a pass-through must anyway). */
function endToEnd(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined && !["host", "connection", "keep-alive", "transfer-encoding"].includes(k)) out[k] = v;
  return out;
}

async function listen(server: ReturnType<typeof createServer>): Promise<number> {
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

async function main(): Promise<number> {
  if (role === "upstream") {
    return listen(
      createServer((req, res) => {
        req.resume();
        req.on("end", () => answer(req.url ?? "", res));
      }),
    );
  }
  const u = new URL(upstream);
  if (role === "node-pass") {
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
    return listen(
      createServer((req, res) => {
        const out = httpRequest(
          { host: u.hostname, port: u.port, path: req.url, method: req.method, headers: req.headers, agent },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        req.pipe(out);
      }),
    );
  }
  if (role === "undici-pass") {
    const agent = new Agent({ keepAliveTimeout: 60_000 });
    return listen(
      createServer((req, res) => {
        void agent
          .request({
            origin: u.origin,
            path: req.url ?? "/",
            method: "POST",
            headers: endToEnd(req.headers),
            body: req,
          })
          .then(
            (up) => {
              res.writeHead(up.statusCode, up.headers as Record<string, string>);
              up.body.pipe(res);
            },
            () => res.destroy(),
          );
      }),
    );
  }
  if (role === "proxy") {
    // PROXY_BENCH_SINK=none: drop events instead of recording them (to see what the tracker costs per request).
    const sink =
      process.env.PROXY_BENCH_SINK === "none"
        ? { record: () => {}, reportInternalError: () => {}, reportAnomaly: () => {} }
        : new TokenTracker({ storage: new NullStorage(), logger: false, autoFlushOnExit: false });
    const server = await startProxyServer({ sink, upstreams: { openai: upstream } }, { port: 0 });
    server.server.keepAliveTimeout = 60_000;
    return Number(new URL(server.url).port);
  }
  throw new Error(`PROXY_BENCH_ROLE "${role}" is not upstream, node-pass, undici-pass or proxy`);
}

const port = await main();
process.on("message", (m: { cmd?: string }) => {
  if (m.cmd === "stats") process.send?.({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
});
process.send?.({ port });
// Exit normally (so --cpu-prof writes its profile) when told to, or when the parent goes away.
process.on("SIGINT", () => process.exit(0));
process.on("disconnect", () => process.exit(0));
