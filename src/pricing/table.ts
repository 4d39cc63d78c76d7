import { TokenLedgerConfigError } from "../core/errors.js";
import type { ParsedEntry } from "./schema.js";
import type { ModelPrice, PriceOrigin, PriceTable } from "./types.js";

/** A validated entry (one or several dated versions) → ModelPrice list sorted by start date, overlaps rejected. */
export function toVersions(
  provider: string,
  model: string,
  entry: ParsedEntry | readonly ParsedEntry[],
  origin: PriceOrigin,
  where: string,
): ModelPrice[] {
  const key = `${provider}/${model}`;
  const list = (Array.isArray(entry) ? entry : [entry]) as readonly ParsedEntry[];
  const versions = list.map((e) => stripUndefined({ ...e, provider, model, key, origin }) as ModelPrice);
  versions.sort((a, b) => start(a) - start(b));
  for (let i = 1; i < versions.length; i++) {
    const prev = versions[i - 1] as ModelPrice;
    const cur = versions[i] as ModelPrice;
    if (end(prev) > start(cur)) {
      throw new TokenLedgerConfigError(
        `${where}: "${key}" has overlapping price versions (${prev.effectiveFrom ?? "start"}..${prev.effectiveTo ?? "open"} and ` +
          `${cur.effectiveFrom ?? "start"}..${cur.effectiveTo ?? "open"}); give each version effectiveFrom/effectiveTo dates that do not overlap`,
      );
    }
  }
  return versions;
}

/** The version in force at `atMs`, if any. */
export function versionAt(versions: readonly ModelPrice[], atMs: number): ModelPrice | undefined {
  for (const v of versions) if (start(v) <= atMs && atMs < end(v)) return v;
  return undefined;
}

function start(v: ModelPrice): number {
  return v.effectiveFrom ? Date.parse(v.effectiveFrom) : Number.NEGATIVE_INFINITY;
}

function end(v: ModelPrice): number {
  return v.effectiveTo ? Date.parse(v.effectiveTo) : Number.POSITIVE_INFINITY;
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Split `provider/model` (first slash): `azure/eu/gpt-4o` → [`azure`, `eu/gpt-4o`]. */
export function splitKey(key: string): [provider: string, model: string] | undefined {
  const i = key.indexOf("/");
  if (i <= 0 || i === key.length - 1) return undefined;
  return [key.slice(0, i), key.slice(i + 1)];
}

export const EMPTY_TABLE: PriceTable = { prices: new Map(), aliases: new Map() };
