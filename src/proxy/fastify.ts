import type { FastifyInstance } from "fastify";
import type { TokenLedgerProxy } from "./create-proxy.js";
import { refuseUpgrade } from "./websocket.js";

/**
 * Mounts the proxy in a Fastify app (`tokenledger serve`). It runs in `onRequest`, before Fastify reads the
 * body, and hijacks the reply: the proxy needs the raw request stream and writes the raw response itself.
 * WebSocket upgrades on proxy paths are refused as in the standalone proxy (426).
 */
export function mountProxy(app: FastifyInstance, proxy: TokenLedgerProxy): void {
  app.addHook("onRequest", async (request, reply) => {
    if (!proxy.handles(request.raw.url ?? "/")) return;
    reply.hijack();
    await proxy.handle(request.raw, reply.raw);
  });
  app.server.on("upgrade", (req, socket) => {
    if (proxy.handles((req as { url?: string }).url ?? "/")) refuseUpgrade(req, socket);
  });
}
