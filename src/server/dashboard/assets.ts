import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One built file held in memory (the bundle is about 70 kB). */
export interface DashboardAsset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  /** Content-hashed names never change content: cached for a year. index.html is revalidated every time. */
  readonly cacheControl: string;
}

export interface DashboardAssets {
  readonly dir: string;
  readonly index: DashboardAsset;
  /** By file name under `/assets/`. */
  readonly files: ReadonlyMap<string, DashboardAsset>;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};
const HASHED = /-[A-Z0-9]{8,}\.[a-z]+$/;

/**
 * Where the built dashboard lives: next to the bundled server code in an installed package (`dist/dashboard`),
 * or the repository's `dist/dashboard` when the server runs from source (`npm run build` made it).
 */
export function dashboardDirCandidates(): string[] {
  return [
    fileURLToPath(new URL("./dashboard/", import.meta.url)),
    fileURLToPath(new URL("../../../dist/dashboard/", import.meta.url)),
  ];
}

export function findDashboardDir(candidates = dashboardDirCandidates()): string | null {
  return candidates.find((dir) => existsSync(join(dir, "index.html"))) ?? null;
}

export function loadDashboardAssets(dir: string): DashboardAssets {
  const assetsDir = join(dir, "assets");
  const files = new Map<string, DashboardAsset>();
  for (const name of existsSync(assetsDir) ? readdirSync(assetsDir) : []) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, asset(readFileSync(join(assetsDir, name)), type, HASHED.test(name)));
  }
  return { dir, index: asset(readFileSync(join(dir, "index.html")), TYPES[".html"]!, false), files };
}

function asset(body: Buffer, contentType: string, immutable: boolean): DashboardAsset {
  return {
    body,
    contentType,
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
    cacheControl: immutable ? "public, max-age=31536000, immutable" : "no-cache",
  };
}
