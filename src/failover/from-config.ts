import { TokenLedgerConfigError } from "tokenledger";
import { failoverConfigSchema } from "./config-schema.js";
import { failover } from "./failover.js";
import type { FailoverGroupOptions, FailoverTarget } from "./types.js";

export interface FromConfigOptions<C extends object> {
  /** SDK clients by the keys the config's targets name in `client:`. */
  readonly clients: Readonly<Record<string, C>>;
  readonly record?: FailoverGroupOptions<C>["record"];
}

/**
 * A `failover()` client for a group defined in config (`failover.groups.<name>` of tokenledger.config.yaml,
 * or the same object built in code). Clients cannot live in a file, so each target names one by key.
 */
export function failoverFromConfig<C extends object>(
  section: unknown,
  name: string,
  options: FromConfigOptions<C>,
): C {
  const parsed = failoverConfigSchema.safeParse(section);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") ?? "";
    throw new TokenLedgerConfigError(`failover${path}: ${issue?.message ?? "invalid"}`);
  }
  const group = parsed.data.groups[name];
  if (!group) {
    const known = Object.keys(parsed.data.groups);
    throw new TokenLedgerConfigError(
      `failover.groups: no group "${name}"${known.length ? ` (defined: ${known.join(", ")})` : ""}`,
    );
  }
  const targets: FailoverTarget<C>[] = group.targets.map((t, i) => {
    const client = options.clients[t.client];
    if (!client) {
      throw new TokenLedgerConfigError(
        `failover.groups.${name}.targets[${i}].client: "${t.client}" is not among the clients passed in code ` +
          `(${Object.keys(options.clients).join(", ") || "none"})`,
      );
    }
    return {
      provider: t.provider,
      client,
      ...(t.model ? { model: t.model } : {}),
      ...(t.name ? { name: t.name } : {}),
    };
  });
  return failover<C>({
    name,
    targets,
    ...(group.policy ? { policy: group.policy } : {}),
    ...(options.record ? { record: options.record } : {}),
  });
}
