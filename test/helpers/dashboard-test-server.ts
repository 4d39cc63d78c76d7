// The server the dashboard tests and the load benchmark talk to. Today a contract-faithful stand-in (the real
// `tokenledger serve` is built in parallel); at merge, this one function switches to the real server.
import cookie from "@fastify/cookie";
import Fastify from "fastify";
import { sqliteStorage } from "tokenledger/sqlite";
import { registerDashboard } from "../../src/server/dashboard/index.js";
import { createKeyStore, registerAuth } from "./dashboard-stand-in/auth.js";
import { registerStandInRoutes } from "./dashboard-stand-in/routes.js";

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
  const storage = sqliteStorage({ path: o.dbPath });
  await storage.init();
  const keys = createKeyStore();
  const org = { kind: "org" } as const;
  const adminKey = keys.create({
    id: "p-admin",
    name: "Test admin",
    role: "admin",
    scope: org,
    userId: null,
  });
  const viewerKey = keys.create({
    id: "p-viewer",
    name: "Test viewer",
    role: "viewer",
    scope: org,
    userId: null,
  });
  const app = Fastify({ logger: false });
  await app.register(cookie);
  registerAuth(app, keys);
  registerStandInRoutes(app, storage, o.dbPath);
  registerDashboard(app, { assetsDir: o.assetsDir });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    adminKey,
    viewerKey,
    async close() {
      await app.close();
      await storage.close();
    },
  };
}
