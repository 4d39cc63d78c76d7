import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { TokenLedgerConfigError } from "../core/errors.js";
import { providerNamespace } from "./model-id.js";
import { describeIssues, lenientVersions, overridesFileSchema, type ParsedEntry } from "./schema.js";
import { splitKey, toVersions } from "./table.js";
import type { ModelPrice, PriceInput, PriceTable } from "./types.js";

/** What an overrides file (JSON or YAML) or the `createPricer` options may hold. */
export interface OverridesDocument {
  /** `"<provider>/<model>"` → price (or dated versions). Rates in USD per 1M tokens. */
  readonly prices?: Readonly<Record<string, PriceInput | readonly PriceInput[]>>;
  /** `"<provider>/<model>"` → `"<provider>/<model>"`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Azure deployment name → model id (`gpt-4o-2024-08-06`, `eu/gpt-4o-2024-08-06`) or pricing key (`azure/...`). */
  readonly azureDeployments?: Readonly<Record<string, string>>;
  /** Bedrock model id, inference-profile or provisioned-throughput ARN → model id or pricing key. */
  readonly bedrockModelMap?: Readonly<Record<string, string>>;
}

export interface ParsedOverrides {
  readonly table: PriceTable;
  readonly azureDeployments: Map<string, string>;
  readonly bedrockModelMap: Map<string, string>;
}

/** Read and validate an overrides file. Errors name the file, the key and the reason. */
export function readOverridesFile(path: string): OverridesDocument {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new TokenLedgerConfigError(
      `pricing overrides file ${path} cannot be read: ${(err as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(extname(path)) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new TokenLedgerConfigError(
      `pricing overrides file ${path} is not valid ${/\.ya?ml$/i.test(path) ? "YAML" : "JSON"}: ${(err as Error).message}`,
    );
  }
  if (doc === null || doc === undefined) return {};
  return validateOverrides(doc, `pricing overrides file ${path}`);
}

/** Validate an overrides document (from a file or from code). */
export function validateOverrides(doc: unknown, where: string): OverridesDocument {
  const parsed = overridesFileSchema.safeParse(doc);
  if (!parsed.success)
    throw new TokenLedgerConfigError(`${where} is invalid: ${describeIssues(parsed.error)}`);
  return parsed.data as OverridesDocument;
}

/** Merge documents (later wins per key) and index them as the override layer. */
export function buildOverrides(docs: readonly { doc: OverridesDocument; where: string }[]): ParsedOverrides {
  const prices = new Map<string, ModelPrice[]>();
  const aliases = new Map<string, string>();
  const azureDeployments = new Map<string, string>();
  const bedrockModelMap = new Map<string, string>();
  for (const { doc, where } of docs) {
    for (const [rawKey, rawEntry] of Object.entries(doc.prices ?? {})) {
      const [provider, model] = requireKey(rawKey, where, "prices");
      const parsed = lenientVersions.safeParse(rawEntry);
      if (!parsed.success)
        throw new TokenLedgerConfigError(
          `${where}: prices["${rawKey}"] is invalid: ${describeIssues(parsed.error)}`,
        );
      const key = `${provider}/${model}`;
      prices.set(
        key,
        toVersions(provider, model, parsed.data as ParsedEntry | ParsedEntry[], "override", where),
      );
    }
    for (const [from, to] of Object.entries(doc.aliases ?? {})) {
      const [fp, fm] = requireKey(from, where, "aliases");
      const [tp, tm] = requireKey(to, where, `aliases["${from}"]`);
      aliases.set(`${fp}/${fm}`, `${tp}/${tm}`);
    }
    for (const [k, v] of Object.entries(doc.azureDeployments ?? {})) azureDeployments.set(k, v);
    for (const [k, v] of Object.entries(doc.bedrockModelMap ?? {})) bedrockModelMap.set(k, v);
  }
  return { table: { prices, aliases }, azureDeployments, bedrockModelMap };
}

function requireKey(key: string, where: string, field: string): [string, string] {
  const parts = splitKey(key);
  if (!parts) {
    throw new TokenLedgerConfigError(
      `${where}: ${field} key "${key}" must be "<provider>/<model>" (for example "openai/gpt-4o" or "bedrock/anthropic.claude-...")`,
    );
  }
  return [providerNamespace(parts[0]), parts[1]];
}
