/**
 * The one provider table. The model-id parser (prefixes, namespaces, fallbacks), the price catalog's known
 * providers (`prices lookup`) and the LiteLLM importer all read it, so adding a provider with its own price
 * namespace is one entry here (plus its prices in the catalog, and an interceptor if it has its own SDK).
 */
export interface PriceProvider {
  /** Price namespace: the `<namespace>/` of a catalog key. */
  readonly namespace: string;
  /** Other event provider labels meaning this namespace (`google` → gemini). */
  readonly aliases: readonly string[];
  /** `<prefix>/` forms a model id may carry for this provider; stripped before lookup. */
  readonly idPrefixes: readonly string[];
  /** LiteLLM `litellm_provider` values for this namespace, exact or (ending in `*`) by prefix. */
  readonly litellm: readonly string[];
  /** Namespaces searched after this one: a host reselling another provider's models at its list price. */
  readonly fallback?: readonly string[];
  /** Sells its own models: a gateway naming one of them is priced at this provider's list price. */
  readonly firstParty?: boolean;
}

// Order is the order `prices lookup` lists providers in.
export const PRICE_PROVIDERS: readonly PriceProvider[] = [
  {
    namespace: "openai",
    aliases: ["text-completion-openai"],
    idPrefixes: ["openai"],
    litellm: ["openai", "text-completion-openai"],
    firstParty: true,
  },
  { namespace: "anthropic", aliases: [], idPrefixes: ["anthropic"], litellm: [], firstParty: true },
  {
    namespace: "gemini",
    aliases: ["google", "google-ai", "google-ai-studio", "gemini_api"],
    idPrefixes: ["gemini", "google"],
    litellm: [],
    firstParty: true,
  },
  {
    namespace: "vertex",
    aliases: ["vertex_ai", "vertexai", "google-vertex", "vertex-ai"],
    idPrefixes: ["vertex_ai"],
    litellm: ["vertex_ai*"],
    // Claude on Vertex falls back to Anthropic's list price.
    fallback: ["anthropic"],
  },
  {
    namespace: "bedrock",
    aliases: ["aws-bedrock", "amazon-bedrock", "bedrock_converse"],
    idPrefixes: ["bedrock"],
    litellm: ["bedrock", "bedrock_converse"],
  },
  {
    namespace: "azure",
    aliases: ["azure-openai", "azure_openai"],
    idPrefixes: ["azure"],
    litellm: ["azure", "azure_text"],
    // Azure global deployments charge OpenAI's list price.
    fallback: ["openai"],
  },
];

export const PROVIDER_NAMESPACES: readonly string[] = PRICE_PROVIDERS.map((p) => p.namespace);

/** Event provider label → namespace, for the labels that differ from their namespace. */
export const PROVIDER_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  PRICE_PROVIDERS.flatMap((p) => p.aliases.map((a) => [a, p.namespace])),
);

export const FIRST_PARTY_NAMESPACES: readonly string[] = PRICE_PROVIDERS.filter((p) => p.firstParty).map(
  (p) => p.namespace,
);

export function priceProvider(namespace: string): PriceProvider | undefined {
  return PRICE_PROVIDERS.find((p) => p.namespace === namespace);
}

/** The namespace a LiteLLM `litellm_provider` value belongs to, if a provider of the table claims it. */
export function litellmProviderNamespace(litellmProvider: string): string | undefined {
  const p = litellmProvider.toLowerCase();
  return PRICE_PROVIDERS.find((x) =>
    x.litellm.some((l) => (l.endsWith("*") ? p.startsWith(l.slice(0, -1)) : p === l)),
  )?.namespace;
}
