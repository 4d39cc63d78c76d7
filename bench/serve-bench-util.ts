// Shared helpers for the `tokenledger serve` benchmarks (not a benchmark itself).
import type { FastifyInstance } from "fastify";
import { createPricer } from "../src/pricing/index.js";
import { createServer } from "../src/server/app.js";
import { createApiKey } from "../src/server/auth/key-service.js";
import type { ServerStorage } from "../src/server/ports.js";
import type { Scope } from "../src/server/schemas/principal.js";

/** The percentile (nearest rank) of a sample, in the sample's unit. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)] ?? Number.NaN;
}

/** A listening server over `storage` with one key of `role`; rate limiting effectively off for the bench. */
export async function benchServer(
  storage: ServerStorage,
  role = "admin",
  scope: Scope = { kind: "org" },
): Promise<{ app: FastifyInstance; url: string; token: string }> {
  const app = await createServer({
    storage,
    pricer: createPricer(),
    rateLimit: { max: 1e9, timeWindowMs: 60_000 },
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  const { token } = await createApiKey(
    storage.access,
    storage.audit,
    { name: "bench", role, scope },
    "bench",
  );
  return { app, url, token };
}

export const ms = (x: number) => x.toFixed(2);
