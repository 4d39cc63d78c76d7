import { TokenLedgerConfigError } from "../core/errors.js";
import { FailoverGroup } from "../failover/group.js";
import { resolvePolicy } from "../failover/policy.js";
import { registerGroup } from "../failover/registry.js";
import type { FailoverTarget } from "../failover/types.js";
import { wireFormatOf } from "../failover/wire-formats.js";
import { resolveUpstream, type ProxyFailoverGroup, type ResolvedUpstream } from "./options.js";
import type { WireFormat } from "./routes.js";

/** What a proxy failover target's `client` slot holds: where to send (the proxy has no SDK client). */
export interface UpstreamClient {
  readonly upstream: ResolvedUpstream;
}

export interface ProxyFailover {
  /** The group serving this wire format's routes, if one is configured. */
  groupFor(format: WireFormat): FailoverGroup | undefined;
}

/** Bedrock and Vertex speak Anthropic's body but need request signing the proxy cannot do with the client's key. */
const NOT_PROXIABLE = new Set(["bedrock-anthropic", "vertex-anthropic"]);

/**
 * The proxy's failover groups, on tokenledger/failover's own group, breaker and health window (so the breaker
 * rules and `failoverStatus()` are the SDK's). Each target is an upstream URL; misconfiguration names the field.
 */
export function proxyFailover(groups: readonly ProxyFailoverGroup[] | undefined): ProxyFailover {
  const byFormat = new Map<WireFormat, FailoverGroup>();
  for (const g of groups ?? []) {
    const where = `failover group "${g.name}"`;
    if (g.targets.length === 0)
      throw new TokenLedgerConfigError(`${where}: targets must list at least one target`);
    let format: WireFormat | undefined;
    const targets: FailoverTarget<UpstreamClient>[] = g.targets.map((t, i) => {
      const at = `${where}: targets[${i}]`;
      const f = wireFormatOf(t.provider);
      if (!f) throw new TokenLedgerConfigError(`${at}.provider: unknown provider "${t.provider}"`);
      if (NOT_PROXIABLE.has(t.provider))
        throw new TokenLedgerConfigError(
          `${at}.provider: ${t.provider} needs SDK-side request signing; the proxy cannot send to it`,
        );
      if (format && f !== format)
        throw new TokenLedgerConfigError(`${at}.provider: speaks ${f} but targets[0] speaks ${format}`);
      format = f;
      return {
        provider: t.provider,
        client: { upstream: resolveUpstream(t.url, `${at}.url`) },
        ...(t.model ? { model: t.model } : {}),
        ...(t.name ? { name: t.name } : {}),
      };
    });
    if (byFormat.has(format!))
      throw new TokenLedgerConfigError(`${where}: a group for the ${format} routes is already configured`);
    const group = new FailoverGroup(g.name, format!, targets, resolvePolicy(where, g.policy));
    registerGroup(group);
    byFormat.set(format!, group);
  }
  return { groupFor: (format) => byFormat.get(format) };
}
