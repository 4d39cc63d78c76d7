import { TokenLedgerConfigError } from "../core/errors.js";
import type { FailoverConfig } from "../failover/config-schema.js";
import type { ProxyFailoverGroup } from "./options.js";

/**
 * The config file's failover groups (`failover.groups.<name>`, as `tokenledger/failover` reads them) for the
 * proxy. A target's `client:` names an SDK client in code; for the proxy it names an upstream URL given with
 * `--failover-target <client>=<url>` (URLs are not credentials, but the file is shared with the SDK's groups).
 */
export function proxyFailoverGroups(
  section: FailoverConfig | undefined,
  names: readonly string[],
  urls: Readonly<Record<string, string>>,
): ProxyFailoverGroup[] {
  return names.map((name) => {
    const group = section?.groups[name];
    if (!group) {
      const known = Object.keys(section?.groups ?? {});
      throw new TokenLedgerConfigError(
        `--failover ${name}: no failover.groups.${name} in the config file${known.length ? ` (defined: ${known.join(", ")})` : ""}`,
      );
    }
    const targets = group.targets.map((t, i) => {
      const url = urls[t.client];
      if (!url)
        throw new TokenLedgerConfigError(
          `failover.groups.${name}.targets[${i}].client: "${t.client}" has no URL; pass --failover-target ${t.client}=<url>`,
        );
      return {
        url,
        provider: t.provider,
        name: t.name ?? t.client,
        ...(t.model ? { model: t.model } : {}),
      };
    });
    return { name, targets, ...(group.policy ? { policy: group.policy } : {}) };
  });
}
