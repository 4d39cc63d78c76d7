import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { TokenLedgerConfigError } from "../core/errors.js";
import { convertLiteLLM, type LiteLLMRepair } from "./litellm-convert.js";
import { describeIssues, strictVersions, type ParsedEntry } from "./schema.js";
import { toVersions } from "./table.js";
import type { ModelPrice, PriceTable } from "./types.js";

export { convertLiteLLM, litellmNamespace, type LiteLLMRepair } from "./litellm-convert.js";

/**
 * Import LiteLLM's `model_prices_and_context_window.json` (MIT, BerriAI/litellm): per-token USD floats are
 * converted exactly (shortest round-trip decimal string × 1e6) into per-million decimal strings, entries are
 * validated, known data bugs repaired, and the result is cached locally. Nothing here runs on a tracked call.
 */
export interface LiteLLMImportOptions {
  /** Where the normalised table is stored. Default `$XDG_CACHE_HOME/tokenledger/litellm-prices.json`; `false` skips it. */
  readonly cachePath?: string | false;
  /** Download timeout for a URL source. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * LiteLLM prices replace the curated catalog's and the broad layer's for the models both have. Default false:
   * the import only fills models no other layer prices.
   */
  readonly replace?: boolean;
}

export interface LiteLLMImportResult {
  readonly source: string;
  readonly cachePath: string | null;
  readonly table: PriceTable;
  readonly imported: number;
  readonly skipped: readonly { readonly key: string; readonly reason: string }[];
  readonly repaired: readonly LiteLLMRepair[];
}

const CACHE_FORMAT = "tokenledger-litellm-cache";

/** `$XDG_CACHE_HOME/tokenledger/litellm-prices.json`, else `~/.cache/tokenledger/litellm-prices.json`. */
export function defaultLiteLLMCachePath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "tokenledger", "litellm-prices.json");
}

/** Load a LiteLLM price file from a path, a `file:` URL or an http(s) URL, convert it and cache it. */
export async function importLiteLLM(
  source: string | URL,
  options: LiteLLMImportOptions = {},
): Promise<LiteLLMImportResult> {
  const label = String(source);
  const text = await readSource(source, options.timeoutMs ?? 30_000);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TokenLedgerConfigError(
      `LiteLLM price file ${label} is not valid JSON: ${(err as Error).message}`,
    );
  }
  const converted = convertLiteLLM(doc, label);
  const cachePath = options.cachePath === false ? null : (options.cachePath ?? defaultLiteLLMCachePath());
  const replace = options.replace === true;
  if (cachePath) writeCache(cachePath, label, converted.prices, replace);
  return {
    source: label,
    cachePath,
    table: indexPrices(converted.prices, "litellm", label, replace),
    imported: Object.keys(converted.prices).length,
    skipped: converted.skipped,
    repaired: converted.repaired,
  };
}

async function readSource(source: string | URL, timeoutMs: number): Promise<string> {
  const url = source instanceof URL ? source : /^https?:\/\//i.test(source) ? new URL(source) : undefined;
  if (url && url.protocol !== "file:") {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new TokenLedgerConfigError(
        `LiteLLM price file ${url.href} could not be downloaded: ${(err as Error).message}`,
      );
    }
    if (!res.ok)
      throw new TokenLedgerConfigError(
        `LiteLLM price file ${url.href} could not be downloaded: HTTP ${res.status}`,
      );
    return await res.text();
  }
  const path = url ? fileURLToPath(url) : String(source);
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new TokenLedgerConfigError(`LiteLLM price file ${path} cannot be read: ${(err as Error).message}`);
  }
}

function writeCache(
  path: string,
  source: string,
  prices: Record<string, ParsedEntry>,
  replace: boolean,
): void {
  const doc = {
    format: CACHE_FORMAT,
    version: 1,
    source,
    importedAt: new Date().toISOString(),
    ...(replace ? { replace } : {}),
    prices,
  };
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(doc) + "\n");
    renameSync(tmp, path); // atomic: a reader never sees a half-written cache
  } catch (err) {
    throw new TokenLedgerConfigError(
      `LiteLLM price cache ${path} cannot be written: ${(err as Error).message}`,
    );
  }
}

const cacheSchema = z
  .object({
    format: z.literal(CACHE_FORMAT, { error: `must be "${CACHE_FORMAT}"` }),
    version: z.literal(1, { error: "must be 1" }),
    source: z.string(),
    importedAt: z.string(),
    replace: z.boolean().optional(),
    prices: z.record(z.string().min(1), strictVersions),
  })
  .strict();

/** Read a cache written by `importLiteLLM` (synchronously: called once at pricer setup). */
export function readLiteLLMCache(path: string): PriceTable {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new TokenLedgerConfigError(`LiteLLM price cache ${path} cannot be read: ${(err as Error).message}`);
  }
  const parsed = cacheSchema.safeParse(doc);
  if (!parsed.success)
    throw new TokenLedgerConfigError(
      `LiteLLM price cache ${path} is invalid: ${describeIssues(parsed.error)}`,
    );
  return indexPrices(
    parsed.data.prices,
    "litellm",
    `LiteLLM price cache ${path}`,
    parsed.data.replace === true,
  );
}

function indexPrices(
  prices: Record<string, ParsedEntry | ParsedEntry[]>,
  origin: "litellm",
  where: string,
  replace: boolean,
): PriceTable {
  const map = new Map<string, ModelPrice[]>();
  for (const [key, entry] of Object.entries(prices)) {
    const i = key.indexOf("/");
    map.set(key, toVersions(key.slice(0, i), key.slice(i + 1), entry, origin, where));
  }
  return replace ? { prices: map, aliases: new Map(), replaces: true } : { prices: map, aliases: new Map() };
}
