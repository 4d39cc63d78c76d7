import type { UsageSink } from "../../interceptors/_shared/types.js";
import type { PreCallGate } from "../../interceptors/_shared/pre-call.js";
import type { Attribution } from "../core/attribution.js";
import type { Logger } from "../core/logger.js";
import { TokenLedgerConfigError } from "../core/errors.js";
import type { ResolveIdentity } from "./identity.js";

export interface ProxyUpstreams {
  /** Default `https://api.anthropic.com`. */
  readonly anthropic?: string;
  /** Default `https://api.openai.com`; an Azure resource or any OpenAI-compatible server. */
  readonly openai?: string;
  /** Per route, by operation (`messages`, `count_tokens`, `chat`, `responses`, `embeddings`): wins over the above. */
  readonly routes?: Readonly<Record<string, string>>;
}

export interface ProxyOptions {
  /** Where events go: a `TokenTracker` (the same batching and storage as the SDK). */
  readonly sink: UsageSink;
  readonly upstreams?: ProxyUpstreams;
  /** Provider name recorded for the OpenAI-format upstream; default `azure` for *.azure.com hosts, else `openai`. */
  readonly openaiProvider?: string;
  /** Budgets (a `BudgetGuard`), consulted before every billed call. */
  readonly gate?: PreCallGate;
  /** tokenledger key id → identity (`x-tokenledger-key` header or `/k/<key-id>/v1/...`). */
  readonly resolveIdentity?: ResolveIdentity;
  /** Attribution for every call (the proxy's own defaults), below the request's. */
  readonly defaults?: Attribution;
  /** Add `stream_options.include_usage` to streamed Chat Completions that lack it (changes the stream). */
  readonly injectIncludeUsage?: boolean;
  /** Largest request body accepted, in bytes; default 32 MiB (Anthropic's own limit). */
  readonly maxRequestBytes?: number;
  /** Proxy problems (upstream unreachable, internal errors). Never receives credentials. */
  readonly logger?: Logger;
}

export interface ResolvedUpstream {
  readonly origin: string;
  /** Path prefix from the configured URL, without a trailing `/v1` (the request path brings its own). */
  readonly basePath: string;
}

/** `https://host/base[/v1]` → origin and base path; a bad URL is a setup error naming the option. */
export function resolveUpstream(url: string, option: string): ResolvedUpstream {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TokenLedgerConfigError(
      `${option}: "${url}" is not a URL (expected e.g. https://api.openai.com)`,
    );
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new TokenLedgerConfigError(`${option}: "${url}" must be http:// or https://`);
  if (u.username || u.password)
    throw new TokenLedgerConfigError(
      `${option}: credentials in the URL are not accepted; the client's own are forwarded`,
    );
  const basePath = u.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
  return { origin: u.origin, basePath };
}

export function openaiProviderName(origin: string, explicit: string | undefined): string {
  if (explicit) return explicit;
  return /\.azure\.com$|\.azure-api\.net$/i.test(new URL(origin).hostname) ? "azure" : "openai";
}
