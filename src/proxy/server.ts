import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createProxy, type TokenLedgerProxy } from "./create-proxy.js";
import type { ProxyOptions } from "./options.js";
import { refuseUpgrade } from "./websocket.js";

export interface ProxyServer {
  readonly server: Server;
  readonly proxy: TokenLedgerProxy;
  /** `http://host:port` */
  readonly url: string;
  close(): Promise<void>;
}

/** A node:http server running the proxy (127.0.0.1 unless told otherwise: it forwards credentials). */
export async function startProxyServer(
  options: ProxyOptions,
  listen: { port?: number; host?: string } = {},
): Promise<ProxyServer> {
  const proxy = createProxy(options);
  const server = createServer((req, res) => void proxy.handle(req, res));
  server.on("upgrade", refuseUpgrade);
  const host = listen.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port ?? 4000, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    server,
    proxy,
    url: `http://${shownHost}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await proxy.close();
    },
  };
}
