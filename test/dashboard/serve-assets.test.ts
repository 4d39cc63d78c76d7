// registerDashboard on a Fastify instance: headers, caching and the missing-build cases (no browser needed).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { dashboardDirCandidates, findDashboardDir } from "../../src/server/dashboard/assets.js";
import { registerDashboard } from "../../src/server/dashboard/index.js";
import { registerDashboardNotBuilt } from "../../src/server/dashboard/not-built.js";

const dir = mkdtempSync(join(tmpdir(), "tl-dashboard-assets-"));
mkdirSync(join(dir, "assets"));
writeFileSync(
  join(dir, "index.html"),
  '<!doctype html><script defer src="/assets/dashboard-ABCDEFGH.js"></script>',
);
writeFileSync(join(dir, "assets", "dashboard-ABCDEFGH.js"), "console.log(1)");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function app(assetsDir: string) {
  const a = Fastify();
  registerDashboard(a, { assetsDir });
  await a.ready();
  return a;
}

describe("registerDashboard", () => {
  it("serves index.html revalidated, under a CSP without inline script", async () => {
    const a = await app(dir);
    const res = await a.inject({ url: "/" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.headers["cache-control"]).toBe("no-cache");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    await a.close();
  });

  it("caches content-hashed assets for a year and answers 304 to a matching ETag", async () => {
    const a = await app(dir);
    const res = await a.inject({ url: "/assets/dashboard-ABCDEFGH.js" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/javascript");
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const again = await a.inject({
      url: "/assets/dashboard-ABCDEFGH.js",
      headers: { "if-none-match": String(res.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    const missing = await a.inject({ url: "/assets/../index.html" });
    expect(missing.statusCode).toBe(404);
    const unknown = await a.inject({ url: "/assets/nope.js" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: "not_found" } });
    await a.close();
  });

  it("names the assetsDir option when it holds no build", () => {
    expect(() => registerDashboard(Fastify(), { assetsDir: join(dir, "nowhere") })).toThrow(
      /assetsDir ".*nowhere"/,
    );
  });

  it("finds the build next to the bundled server (installed package) or in the repository's dist (source)", () => {
    const [besideBundle, repoDist] = dashboardDirCandidates();
    expect(besideBundle).toMatch(/src\/server\/dashboard\/dashboard\/$/);
    expect(repoDist).toBe(join(process.cwd(), "dist", "dashboard") + "/");
    expect(findDashboardDir([join(dir, "nowhere"), dir])).toBe(dir);
    expect(findDashboardDir([join(dir, "nowhere")])).toBeNull();
  });

  it("without any build, `/` says how to build it (503) instead of failing the server", async () => {
    const a = Fastify();
    registerDashboardNotBuilt(a);
    const res = await a.inject({ url: "/" });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain("npm run build");
    expect(res.headers["content-security-policy"]).toContain("default-src 'none'");
    await a.close();
  });
});
