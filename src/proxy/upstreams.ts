import { TokenLedgerConfigError } from "../core/errors.js";
import { openaiProviderName, resolveUpstream, type ProxyOptions, type ResolvedUpstream } from "./options.js";
import type { Route } from "./routes.js";

export interface Upstream extends ResolvedUpstream {
  /** Provider name recorded on the event. */
  readonly provider: string;
}

/** Operations an upstream can be set for one by one (`--upstream embeddings=http://...`). */
export const ROUTE_OPERATIONS: Readonly<Record<string, Route["format"]>> = {
  messages: "anthropic",
  count_tokens: "anthropic",
  chat: "openai",
  responses: "openai",
  embeddings: "openai",
};

/**
 * The upstream for each route: the per-operation override when one is set, else the API's default
 * (`https://api.anthropic.com`, `https://api.openai.com`). Bad URLs and unknown operations are setup errors.
 */
export function upstreamResolver(options: ProxyOptions): (route: Route) => Upstream {
  const openaiOf = (url: string, option: string): Upstream => {
    const u = resolveUpstream(url, option);
    return { ...u, provider: openaiProviderName(u.origin, options.openaiProvider) };
  };
  const byFormat: Record<Route["format"], Upstream> = {
    anthropic: {
      ...resolveUpstream(options.upstreams?.anthropic ?? "https://api.anthropic.com", "--upstream-anthropic"),
      provider: "anthropic",
    },
    openai: openaiOf(options.upstreams?.openai ?? "https://api.openai.com", "--upstream-openai"),
  };
  const byOperation = new Map<string, Upstream>();
  for (const [operation, url] of Object.entries(options.upstreams?.routes ?? {})) {
    const format = ROUTE_OPERATIONS[operation];
    const option = `--upstream ${operation}=`;
    if (!format)
      throw new TokenLedgerConfigError(
        `${option}: unknown route "${operation}" (known: ${Object.keys(ROUTE_OPERATIONS).join(", ")})`,
      );
    byOperation.set(
      operation,
      format === "anthropic"
        ? { ...resolveUpstream(url, option), provider: "anthropic" }
        : openaiOf(url, option),
    );
  }
  return (route) => byOperation.get(route.operation) ?? byFormat[route.format];
}
