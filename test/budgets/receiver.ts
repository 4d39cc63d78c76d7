import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  readonly body: string;
  readonly signature: string | undefined;
  readonly status: number;
}

/** A local HTTP receiver for alert webhooks; `statuses` are answered in order, then 200. */
export async function startReceiver(statuses: number[] = []): Promise<{
  url: string;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const status = statuses.shift() ?? 200;
      const sig = req.headers["x-tokenledger-signature"];
      received.push({ body, signature: typeof sig === "string" ? sig : undefined, status });
      res.writeHead(status).end(status === 200 ? "ok" : "fail");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
