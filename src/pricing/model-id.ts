import {
  FIRST_PARTY_NAMESPACES,
  PRICE_PROVIDERS,
  PROVIDER_ALIASES,
  PROVIDER_NAMESPACES,
  priceProvider,
} from "./providers.js";

/**
 * Model id normalisation: deterministic rewrites only (prefixes, date suffixes, Bedrock forms).
 * There is no substring or fuzzy matching: `my-gpt-4o` and `gpt-4o-mini-foo` never match `gpt-4o`.
 */

/** Price namespaces of the built-in providers (src/pricing/providers.ts). Any other label is its own namespace. */
export const KNOWN_NAMESPACES: readonly string[] = PROVIDER_NAMESPACES;

/** Event provider label → price namespace (`google` → `gemini`, `vertex_ai` → `vertex`, ...). */
export function providerNamespace(provider: string): string {
  const p = provider.trim().toLowerCase();
  return PROVIDER_ALIASES[p] ?? p;
}

/**
 * Namespaces searched for a provider, in order. Azure falls back to OpenAI's list price (Azure global
 * deployments charge it); Claude on Vertex to Anthropic's.
 */
export function namespacesFor(namespace: string): readonly string[] {
  const fallback = priceProvider(namespace)?.fallback;
  if (fallback) return [namespace, ...fallback];
  // A provider with no price table of its own (a gateway, proxy or OpenAI-compatible host reached through the
  // openai SDK) is priced at the first-party list price when its model id names a first-party model exactly
  // (dated or not). Ids that name no first-party model stay unpriced: still no fuzzy matching.
  if (!KNOWN_NAMESPACES.includes(namespace) && !OWN_PRICE_HOSTS.has(namespace)) {
    return [namespace, ...FIRST_PARTY_NAMESPACES];
  }
  return [namespace];
}

// Inference providers that sell models at their own prices (a same-named model is not billed at OpenAI's
// rate there). Routers that pass first-party prices through (OpenRouter) and unknown hosts are not listed.
const OWN_PRICE_HOSTS = new Set([
  "groq",
  "together",
  "fireworks",
  "deepinfra",
  "cerebras",
  "perplexity",
  "mistral",
  "deepseek",
  "xai",
  "ollama",
  "lmstudio",
]);

export interface ModelForm {
  readonly id: string;
  readonly step: "exact" | "normalized";
  /** Bedrock geographic profile prefix that was stripped (`us`, `eu`, ...); `global` is not recorded. */
  readonly regionPrefix?: string;
  /** A base-model guess, tried only after every other form of every id found nothing. */
  readonly fallback?: boolean;
}

const PATH_PREFIX = /^(?:.*\/)?models\//; // models/x, projects/p/locations/l/publishers/google/models/x
const PROVIDER_PREFIX = new RegExp(`^(?:${PRICE_PROVIDERS.flatMap((p) => p.idPrefixes).join("|")})/`);
const DATE_SUFFIX = /(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8})$/;
const THROUGHPUT_SUFFIX = /^(.*:\d+):(?:\d+k|mm)$/; // anthropic.claude-...-v1:0:51k
const VERSION_SUFFIX = /:\d+$/;
// Gemini preview snapshots: gemini-2.5-flash-preview-05-20, gemini-3-pro-preview-11-2025.
const PREVIEW_DATE = /-preview-\d{2}-\d{2,4}$/;
const PREVIEW_OR_LATEST = /-(?:preview|latest)$/;
const REGION_PREFIX = /^(us|eu|apac|jp|au|ca|us-gov|global)\.(.+)$/;

/** Every form of a model id to try, most specific first. */
export function modelForms(raw: string, namespace: string): ModelForm[] {
  const forms: ModelForm[] = [];
  const seen = new Set<string>();
  const add = (id: string, step: ModelForm["step"], regionPrefix?: string) => {
    if (id.length === 0 || seen.has(id)) return;
    seen.add(id);
    forms.push(regionPrefix ? { id, step, regionPrefix } : { id, step });
  };
  const exact = raw.trim();
  add(exact, "exact");
  let id = exact.toLowerCase();
  add(id, "normalized");
  if (namespace === "bedrock") {
    id = bedrockTail(id);
    add(id, "normalized");
    const base = bedrockVariants(id);
    for (const v of base) add(v, "normalized");
    // Exact (prefixed) ids first: a geographic profile can cost more than the stripped id.
    for (const v of base) {
      const m = REGION_PREFIX.exec(v);
      if (m?.[1] && m[2]) add(m[2], "normalized", m[1] === "global" ? undefined : m[1]);
    }
    return forms;
  }
  id = id.replace(PATH_PREFIX, "").replace(PROVIDER_PREFIX, "");
  add(id, "normalized");
  if (id.includes("@")) add(id.replace("@", "-"), "normalized"); // Vertex claude-sonnet-4-5@20250929
  add(id.replace(DATE_SUFFIX, ""), "normalized");
  const undated = id.replace(PREVIEW_DATE, "-preview");
  add(undated, "normalized");
  // `-preview` / `-latest` → the base model, only when nothing more specific is priced anywhere.
  const base = undated.replace(PREVIEW_OR_LATEST, "");
  if (base !== undated && !seen.has(base)) {
    seen.add(base);
    forms.push({ id: base, step: "normalized", fallback: true });
  }
  return forms;
}

/** ARN → its last path segment (foundation model id or inference profile id). */
function bedrockTail(id: string): string {
  const noPrefix = id.replace(/^bedrock\//, "");
  return noPrefix.startsWith("arn:") ? (noPrefix.split("/").pop() ?? noPrefix) : noPrefix;
}

/** The id, without a provisioned-throughput suffix, and with/without the `:0` version suffix. */
function bedrockVariants(id: string): string[] {
  const out = [id];
  const t = THROUGHPUT_SUFFIX.exec(id);
  const base = t?.[1] ?? id;
  if (base !== id) out.push(base);
  out.push(VERSION_SUFFIX.test(base) ? base.replace(VERSION_SUFFIX, "") : `${base}:0`);
  return out;
}

/** Azure spells GPT-3.5 as `gpt-35`; OpenAI's key is `gpt-3.5`. */
export function openAISpelling(id: string): string {
  return id.replace(/^gpt-35(?=-|$)/, "gpt-3.5");
}

/** True for Claude models wherever hosted: their missing cache rates follow Anthropic's multipliers. */
export function isAnthropicLike(provider: string, model: string): boolean {
  return provider === "anthropic" || /(^|[./])(anthropic\.)?claude/.test(model);
}
