import type { FailoverGroup } from "./group.js";
import type { TargetStatus } from "./types.js";

// Process-wide, on a global symbol: the ESM and CJS builds of tokenledger/failover see the same groups.
const KEY = Symbol.for("tokenledger.failoverGroups");
const g = globalThis as typeof globalThis & { [KEY]?: Set<WeakRef<FailoverGroup>> };
const live = (g[KEY] ??= new Set());

export function registerGroup(group: FailoverGroup): void {
  live.add(new WeakRef(group));
}

/** Health, breaker state and switch counts of every failover group alive in this process. */
export function failoverStatus(): TargetStatus[] {
  const out: TargetStatus[] = [];
  for (const ref of live) {
    const group = ref.deref();
    if (group) out.push(...group.status());
    else live.delete(ref);
  }
  return out;
}
