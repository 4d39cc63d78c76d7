/**
 * The real `tokenledger serve` app (createServer) for the remote-ingest tests, on 127.0.0.1 over the caller's storage,
 * with an API key made by createApiKey. stop()/start() close the app and listen again on the same port with a new app
 * (the storage stays open: the app gets a view of it whose close() is a no-op, so the server's onClose hook cannot
 * close the caller's ledger). `counts` are read from the server's own answers in an onSend hook.
 */
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import type { StorageAdapter } from "tokenledger";
import { createPricer } from "../../src/pricing/index.js";
import { createServer } from "../../src/server/app.js";
import { createApiKey } from "../../src/server/auth/key-service.js";
import { asServerStorage, type ServerStorage } from "../../src/server/ports.js";

export interface TestLedgerServerOptions {
  /** Where accepted events go (SQLite or PostgreSQL storage, opened and closed by the caller). */
  readonly storage: StorageAdapter;
  /** Role of the key returned as `apiKey`: `ingest` (default) sends; `viewer` reads (report --server). */
  readonly role?: "ingest" | "viewer" | "admin";
  /** Delay each POST /api/v1/usage before it is handled (to make concurrent senders overlap in race tests). */
  readonly responseDelayMs?: number;
}

export interface TestLedgerServer {
  /** `tokenledger+http://127.0.0.1:<port>`: the value a client passes as its storage URL. */
  readonly url: string;
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  readonly apiKey: string;
  /** What the server answered to POST /api/v1/usage so far (every request, every event), across restarts. */
  readonly counts: {
    requests: number;
    created: number;
    duplicates: number;
    conflicts: number;
    badRequests: number;
  };
  /** Close the app (in-flight requests drain, then connections close; storage kept): the server is "down". */
  stop(): Promise<void>;
  /** A new app listening on the same port. */
  start(): Promise<void>;
  /** Stop; the caller closes the storage. */
  close(): Promise<void>;
}

interface IngestAnswer {
  created?: number;
  duplicates?: number;
  conflicts?: number;
}

/** The caller's storage with close() left to the caller: the server closes its storage in onClose. */
function keepOpen(storage: ServerStorage): ServerStorage {
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === "close") return async () => undefined;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export async function startTestLedgerServer(o: TestLedgerServerOptions): Promise<TestLedgerServer> {
  const real = asServerStorage(o.storage);
  if (!real) throw new Error(`startTestLedgerServer: storage kind ${o.storage.kind} cannot serve`);
  const storage = keepOpen(real);
  const { token: apiKey } = await createApiKey(
    storage.access,
    storage.audit,
    { name: `test ${o.role ?? "ingest"}`, role: o.role ?? "ingest", scope: { kind: "org" } },
    "test",
  );
  const counts = { requests: 0, created: 0, duplicates: 0, conflicts: 0, badRequests: 0 };
  const isIngest = (method: string, url: string) =>
    method === "POST" && url.split("?")[0] === "/api/v1/usage";

  const observe = (app: FastifyInstance) => {
    if (o.responseDelayMs)
      app.addHook("preHandler", async (req) => {
        if (isIngest(req.method, req.url)) await new Promise((r) => setTimeout(r, o.responseDelayMs));
      });
    // onSend runs before the client can see the answer, so counts are current when a send resolves.
    app.addHook("onSend", async (req, reply, payload) => {
      if (!isIngest(req.method, req.url)) return payload;
      const status = reply.statusCode;
      // As the stand-in counted: requests that passed the key check (401s are not counted) ...
      if (status === 401) return payload;
      counts.requests++;
      if (status === 400) counts.badRequests++;
      if (status === 200 && typeof payload === "string") {
        const a = JSON.parse(payload) as IngestAnswer;
        counts.created += a.created ?? 0;
        counts.duplicates += a.duplicates ?? 0;
        counts.conflicts += a.conflicts ?? 0;
      }
      return payload;
    });
  };

  let app: FastifyInstance | undefined;
  let port = 0;
  const start = async () => {
    const next = await createServer({
      storage,
      pricer: createPricer(),
      // The stand-in had no limit; the multi-process test sends well over the default 1200 requests/min per key.
      rateLimit: { max: 1_000_000, timeWindowMs: 60_000 },
      plugins: [observe],
    });
    await next.listen({ host: "127.0.0.1", port });
    port = (next.server.address() as AddressInfo).port;
    app = next;
  };
  const stop = async () => {
    const a = app;
    app = undefined;
    await a?.close();
  };
  await start();
  return {
    url: `tokenledger+http://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    apiKey,
    counts,
    stop,
    start,
    close: stop,
  };
}
