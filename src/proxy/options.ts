import type { UsageSink } from "../../interceptors/_shared/types.js";
import type { PreCallGate } from "../../interceptors/_shared/pre-call.js";
import type { Attribution } from "../core/attribution.js";
import type { Logger } from "../core/logger.js";
import { TokenLedgerConfigError } from "../core/errors.js";
import type { GroupPolicy } from "../failover/types.js";
import type { ResolveIdentity } from "./identity.js";

export interface ProxyUpstreams {
  /** Default `https://api.anthropic.com`. */
  readonly anthropic?: string;
  /** Default `https://api.openai.com`; an Azure resource or any OpenAI-compatible server. */
  readonly openai?: string;
  /** Per route, by operation (`messages`, `count_tokens`, `chat`, `responses`, `embeddings`): wins over the above. */
  readonly routes?: Readonly<Record<string, string>>;
}

/** One place a failover group can send a call: an upstream base URL that accepts the client's own credentials. */
export interface ProxyFailoverTarget {
  /** Base URL, as for `upstreams` (`https://api.openai.com`, an Azure or gateway URL). */
  readonly url: string;
  /** Provider recorded when this target answers (`openai`, `azure`, `anthropic`, ...); sets the wire format. */
  readonly provider: string;
  /** Model sent to this target instead of the caller's (the JSON body's `model` is rewritten). */
  readonly model?: string;
  /** Label in events and `failover status`; default `provider:model` or `provider`. */
  readonly name?: string;
}

/** A failover group for the proxy: the routes of its wire format go to its first healthy target. */
export interface ProxyFailoverGroup {
  readonly name: string;
  readonly targets: readonly ProxyFailoverTarget[];
  readonly policy?: Partial<GroupPolicy>;
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
  /** Failover groups, at most one per wire format (`anthropic`, `openai`); they replace `upstreams` for it. */
  readonly failover?: readonly ProxyFailoverGroup[];
  /**
   * OTLP exports (`/v1/logs|metrics|traces`) must carry a tokenledger key that `resolveIdentity` knows
   * (`x-tokenledger-key` or `Authorization: Bearer`); otherwise 401. The CLI turns this on when the ledger has keys.
   */
  readonly otlpRequireKey?: boolean;
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
