import { TokenLedgerConfigError } from "../core/errors.js";
import bundled from "./catalog.json" with { type: "json" };
import { catalogSchema, describeIssues } from "./schema.js";
import { toVersions } from "./table.js";
import type { ModelPrice, PriceTable } from "./types.js";

/**
 * Validate a catalog document (the bundled `catalog.json`, or a test's malformed copy) and index it.
 * Throws `TokenLedgerConfigError` naming the source, the key and the reason.
 */
export function parseCatalog(
  doc: unknown,
  where = "bundled price catalog (src/pricing/catalog.json)",
  origin: "catalog" | "broad" = "catalog",
): PriceTable {
  const parsed = catalogSchema.safeParse(doc);
  if (!parsed.success)
    throw new TokenLedgerConfigError(`${where} is invalid: ${describeIssues(parsed.error)}`);
  const prices = new Map<string, ModelPrice[]>();
  for (const [provider, models] of Object.entries(parsed.data.providers)) {
    for (const [model, entry] of Object.entries(models)) {
      const versions = toVersions(provider.toLowerCase(), model, entry, origin, where);
      prices.set(`${provider.toLowerCase()}/${model}`, versions);
    }
  }
  const aliases = new Map<string, string>();
  for (const [from, to] of Object.entries(parsed.data.aliases ?? {})) {
    if (!prices.has(to))
      throw new TokenLedgerConfigError(
        `${where} is invalid: alias "${from}" points at "${to}", which has no price`,
      );
    aliases.set(from, to);
  }
  return {
    prices,
    aliases,
    ...(parsed.data.updated ? { updated: parsed.data.updated } : {}),
    ...(parsed.data.dataVersion ? { dataVersion: parsed.data.dataVersion } : {}),
  };
}

let cached: PriceTable | undefined;

/** The bundled catalog, validated once per process. */
export function bundledCatalog(): PriceTable {
  cached ??= parseCatalog(bundled);
  return cached;
}
