import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { TokenLedgerConfigError } from "../../core/errors.js";
import { findDashboardDir, loadDashboardAssets, type DashboardAsset } from "./assets.js";
import { registerDashboardNotBuilt } from "./not-built.js";
import { SECURITY_HEADERS } from "./security-headers.js";

export interface DashboardOptions {
  /** Directory holding the built `index.html` and `assets/`; default: the package's `dist/dashboard`. */
  readonly assetsDir?: string;
}

/**
 * Serves the web dashboard: `GET /` (index.html) and `GET /assets/<file>`. The bundle is static and reads
 * `/api/v1` from the browser; nothing is rendered on the server. Fastify is used only through the instance the
 * server passes in (type import), so this module adds no framework to anything that imports it.
 */
export function registerDashboard(app: FastifyInstance, opts: DashboardOptions = {}): void {
  const dir = opts.assetsDir ?? findDashboardDir();
  if (dir === null) return registerDashboardNotBuilt(app);
  let assets;
  try {
    assets = loadDashboardAssets(dir);
  } catch (err) {
    throw new TokenLedgerConfigError(
      `dashboard assetsDir "${dir}" has no built dashboard (index.html and assets/): ${(err as Error).message}`,
    );
  }
  app.get("/", (req, reply) => send(req, reply, assets.index));
  app.get<{ Params: { file: string } }>("/assets/:file", (req, reply) => {
    const file = assets.files.get(req.params.file);
    if (!file)
      return reply
        .code(404)
        .send({ error: { code: "not_found", message: `no dashboard asset ${req.params.file}` } });
    return send(req, reply, file);
  });
}

function send(req: FastifyRequest, reply: FastifyReply, asset: DashboardAsset): FastifyReply {
  reply.headers(SECURITY_HEADERS).header("cache-control", asset.cacheControl).header("etag", asset.etag);
  if (req.headers["if-none-match"] === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
}
