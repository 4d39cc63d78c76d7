import {
  KNOWN_NAMESPACES,
  modelForms,
  namespacesFor,
  openAISpelling,
  providerNamespace,
  type ModelForm,
} from "./model-id.js";
import { splitKey, versionAt } from "./table.js";
import type { ModelPrice, PriceTable } from "./types.js";

/** How a price was found, in resolution order. */
export type MatchStep = "map" | "override" | "user-alias" | "exact" | "normalized" | "alias";

export interface PriceMatch {
  readonly price: ModelPrice;
  readonly step: MatchStep;
  /** The candidate key that led to the price (differs from `price.key` after an alias). */
  readonly candidate: string;
  /** Bedrock geographic profile prefix that was stripped (`us`, `eu`, ...), for `regionalMultiplier`. */
  readonly regionPrefix?: string;
}

/** The price sources, highest priority first. */
export interface PriceLayers {
  readonly overrides: PriceTable;
  readonly litellm: PriceTable;
  readonly catalog: PriceTable;
  /** Generated broad layer (@pydantic/genai-prices), searched only after the curated layers. */
  readonly broad: PriceTable;
  /** Azure deployment name → model id or pricing key. */
  readonly azureDeployments: ReadonlyMap<string, string>;
  /** Bedrock model id / ARN → model id or pricing key. */
  readonly bedrockModelMap: ReadonlyMap<string, string>;
}

export interface LookupRequest {
  readonly provider: string;
  readonly model: string;
  readonly requestedModel?: string | null;
  readonly at: Date;
}

interface Candidate {
  readonly key: string;
  readonly step: "map" | "exact" | "normalized";
  readonly regionPrefix?: string;
  /** A base-model guess (`gemini-2.5-pro-preview-05-06` → `gemini-2.5-pro`): tried after every exact form. */
  readonly fallback?: boolean;
}

/**
 * Resolution order: (1) user maps (Azure deployment, Bedrock ARN), then user overrides and user aliases;
 * (2) per layer — curated catalog, broad layer, LiteLLM cache (first when imported with `replace`) — the exact id
 * for the provider, response model first, then requested model, then normalized ids (date suffixes, `models/`
 * and provider prefixes, Bedrock ARN tail / throughput suffix / region prefix, exact prefixed id first), then
 * that layer's aliases; (3) only then base-model guesses (`-preview`/`-latest` stripped). No fuzzy matching.
 */
export function findPrice(
  layers: PriceLayers,
  req: LookupRequest,
  candidates = candidateKeys(layers, req),
): PriceMatch | undefined {
  const at = req.at.getTime();
  const primary = candidates.filter((c) => !c.fallback);
  const fallback = candidates.filter((c) => c.fallback);
  return findIn(layers, primary, at) ?? (fallback.length > 0 ? findIn(layers, fallback, at) : undefined);
}

function findIn(layers: PriceLayers, candidates: readonly Candidate[], at: number): PriceMatch | undefined {
  for (const c of candidates) {
    const p = hitAt(layers.overrides, c.key, at);
    if (p) return match(p, c.step === "map" ? "map" : "override", c);
  }
  for (const c of candidates) {
    const target = layers.overrides.aliases.get(c.key);
    const p = target ? anyLayerAt(layers, target, at) : undefined;
    if (p) return match(p, "user-alias", c);
  }
  // Imported LiteLLM prices fill gaps only (below the curated catalog and the broad layer) unless imported
  // with `replace`, which puts them above the catalog.
  const tables = layers.litellm.replaces
    ? [layers.litellm, layers.catalog, layers.broad]
    : [layers.catalog, layers.broad, layers.litellm];
  for (const table of tables) {
    for (const c of candidates) {
      const p = hitAt(table, c.key, at);
      if (p) return match(p, c.step, c);
    }
    // An alias of any layer still prefers the highest layer's price of its target.
    for (const c of candidates) {
      const target = table.aliases.get(c.key);
      const p = target ? anyLayerAt(layers, target, at) : undefined;
      if (p) return match(p, "alias", c);
    }
  }
  return undefined;
}

function hitAt(table: PriceTable, key: string, at: number): ModelPrice | undefined {
  const versions = table.prices.get(key);
  return versions ? versionAt(versions, at) : undefined;
}

function anyLayerAt(layers: PriceLayers, key: string, at: number): ModelPrice | undefined {
  const byPriority = layers.litellm.replaces
    ? [layers.overrides, layers.litellm, layers.catalog, layers.broad]
    : [layers.overrides, layers.catalog, layers.broad, layers.litellm];
  for (const table of byPriority) {
    const p = hitAt(table, key, at);
    if (p) return p;
  }
  return undefined;
}

function match(price: ModelPrice, step: MatchStep, c: Candidate): PriceMatch {
  return c.regionPrefix
    ? { price, step, candidate: c.key, regionPrefix: c.regionPrefix }
    : { price, step, candidate: c.key };
}

/** Ordered candidate keys for a request (independent of the date, so callers may cache them). */
export function candidateKeys(layers: PriceLayers, req: Omit<LookupRequest, "at">): Candidate[] {
  const ns = providerNamespace(req.provider);
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const push = (c: Candidate) => {
    if (!seen.has(c.key)) {
      seen.add(c.key);
      out.push(c);
    }
  };
  let ids = [req.model, req.requestedModel].filter(
    (m): m is string => typeof m === "string" && m.trim().length > 0,
  );
  let searchNs = ns;
  let mapped = false;

  const map =
    ns === "azure" ? layers.azureDeployments : ns === "bedrock" ? layers.bedrockModelMap : undefined;
  // Azure: the deployment is the requested model (the Responses API also echoes it as the model).
  const mapOrder = ns === "azure" ? [req.requestedModel, req.model] : [req.model, req.requestedModel];
  for (const id of map ? mapOrder : []) {
    const target = typeof id === "string" ? map?.get(id.trim()) : undefined;
    if (!target) continue;
    const full = asPricingKey(target);
    searchNs = full ? full[0] : ns;
    ids = [full ? full[1] : target];
    mapped = true; // the user's map is authoritative: the original ids are not tried
    break;
  }

  for (const namespace of namespacesFor(searchNs)) {
    const perId = ids.map((id) => modelForms(id, namespace));
    // All exact forms (response model, then requested) before any normalized form.
    for (const step of ["exact", "normalized"] as const) {
      for (const forms of perId) {
        for (const f of forms) {
          if (f.step !== step) continue;
          const c = toCandidate(namespace, f, ns);
          push(mapped ? { ...c, step: "map" } : c);
        }
      }
    }
  }
  return out;
}

function toCandidate(namespace: string, f: ModelForm, requestNamespace: string): Candidate {
  const id = requestNamespace === "azure" && namespace === "openai" ? openAISpelling(f.id) : f.id;
  const key = `${namespace}/${id}`;
  const c: Candidate = f.regionPrefix
    ? { key, step: f.step, regionPrefix: f.regionPrefix }
    : { key, step: f.step };
  return f.fallback ? { ...c, fallback: true } : c;
}

/** `openai/gpt-4o` → ["openai", "gpt-4o"]; a plain model id (or `eu/gpt-4o` inside Azure) → undefined. */
export function asPricingKey(value: string): [string, string] | undefined {
  const parts = splitKey(value);
  if (!parts) return undefined;
  return (KNOWN_NAMESPACES as readonly string[]).includes(parts[0]) ? parts : undefined;
}
