import type { InterceptorOptions } from "../_shared/types.js";

/**
 * The `openai` SDK also talks to Azure OpenAI and to many OpenAI-compatible servers. Label each call with the
 * provider that actually served (and bills) it, derived from the client, never a blanket `openai`.
 */

/** Known hosts of OpenAI-compatible APIs. Matched against the base URL's host (suffix match). */
const KNOWN_HOSTS: readonly (readonly [suffix: string, provider: string])[] = [
  ["api.openai.com", "openai"],
  ["openai.azure.com", "azure"],
  ["cognitiveservices.azure.com", "azure"],
  ["services.ai.azure.com", "azure"],
  ["api.groq.com", "groq"],
  ["openrouter.ai", "openrouter"],
  ["api.mistral.ai", "mistral"],
  ["api.together.xyz", "together"],
  ["api.together.ai", "together"],
  ["api.deepseek.com", "deepseek"],
  ["api.x.ai", "xai"],
  ["api.fireworks.ai", "fireworks"],
  ["api.perplexity.ai", "perplexity"],
  ["api.cerebras.ai", "cerebras"],
  ["api.deepinfra.com", "deepinfra"],
  ["generativelanguage.googleapis.com", "gemini"],
  ["api.anthropic.com", "anthropic"],
];

/** Local servers recognised by their default port. */
const LOCAL_PORTS: Readonly<Record<string, string>> = { "11434": "ollama", "1234": "lmstudio" };
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1", "0.0.0.0"]);

/** The parts of an `openai` client this module reads (structural, so any SDK major fits). */
export interface ClientLike {
  readonly baseURL?: unknown;
  readonly apiVersion?: unknown;
  readonly deploymentName?: unknown;
  readonly constructor?: { readonly name?: string };
}

export interface ClientIdentity {
  readonly provider: string;
  readonly azure: boolean;
  /** Base URL (without query), used to remember servers that reject `stream_options`. */
  readonly baseURL: string;
  /** The `AzureOpenAI({ deployment })` option, when set. */
  readonly deployment: string | undefined;
}

export function identifyClient(client: ClientLike | undefined, options: InterceptorOptions): ClientIdentity {
  const baseURL = typeof client?.baseURL === "string" ? client.baseURL : "";
  const deployment =
    typeof client?.deploymentName === "string" && client.deploymentName ? client.deploymentName : undefined;
  const azureClass = client?.constructor?.name === "AzureOpenAI" || typeof client?.apiVersion === "string";
  const provider = azureClass ? "azure" : providerForBaseURL(baseURL, options.baseURLProviders);
  return { provider, azure: provider === "azure", baseURL, deployment };
}

// Parsing a URL on every call costs microseconds; a process talks to a handful of base URLs.
const NO_MAP = {};
const memo = new WeakMap<object, Map<string, string>>();

/** User map first (host or substring of the base URL), then the known-host table, then the host itself. */
export function providerForBaseURL(
  baseURL: string,
  userMap: Readonly<Record<string, string>> | undefined,
): string {
  const key = userMap ?? NO_MAP;
  let byURL = memo.get(key);
  if (!byURL) memo.set(key, (byURL = new Map()));
  let provider = byURL.get(baseURL);
  if (provider === undefined) {
    provider = resolveProvider(baseURL, userMap);
    if (byURL.size < 256) byURL.set(baseURL, provider);
  }
  return provider;
}

function resolveProvider(baseURL: string, userMap: Readonly<Record<string, string>> | undefined): string {
  if (!baseURL) return "openai";
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    return "openai-compatible";
  }
  const host = url.hostname.toLowerCase();
  if (userMap) {
    for (const [key, provider] of Object.entries(userMap)) {
      const k = key.toLowerCase();
      if (host === k || url.host === k || baseURL.toLowerCase().includes(k)) return provider;
    }
  }
  for (const [suffix, provider] of KNOWN_HOSTS) {
    if (host === suffix || host.endsWith(`.${suffix}`)) return provider;
  }
  if (LOCAL_HOSTS.has(host)) {
    const known = LOCAL_PORTS[url.port];
    if (known) return known;
  }
  // An unknown server: its host name says more than a wrong "openai" label.
  return host || "openai-compatible";
}
