// The server the dashboard tests and the load benchmark talk to: the real `tokenledger serve` app.
import { sqliteStorage } from "tokenledger/sqlite";
import { createPricer } from "../../src/pricing/index.js";
import { createServer } from "../../src/server/app.js";
import { createApiKey } from "../../src/server/auth/key-service.js";
import { asServerStorage } from "../../src/server/ports.js";
import { registerDashboard } from "../../src/server/dashboard/index.js";

export interface DashboardTestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** An admin API key (org scope) to sign in with. */
  readonly adminKey: string;
  /** A viewer key (org scope): reads everything, writes nothing. */
  readonly viewerKey: string;
  close(): Promise<void>;
}

export interface DashboardTestServerOptions {
  /** A SQLite ledger, already seeded. */
  readonly dbPath: string;
  /** A built dashboard (index.html and assets/). */
  readonly assetsDir: string;
}

export async function startDashboardTestServer(o: DashboardTestServerOptions): Promise<DashboardTestServer> {
  const storage = asServerStorage(sqliteStorage({ path: o.dbPath }))!;
  await storage.init();
  const key = async (name: string, role: string) =>
    (await createApiKey(storage.access, storage.audit, { name, role, scope: { kind: "org" } }, "test")).token;
  const adminKey = await key("Test admin", "admin");
  const viewerKey = await key("Test viewer", "viewer");
  const app = await createServer({
    storage,
    pricer: createPricer(),
    plugins: [(a) => registerDashboard(a, { assetsDir: o.assetsDir })],
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { url, adminKey, viewerKey, close: () => app.close() };
}
