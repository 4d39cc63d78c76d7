import type { PatchSet } from "./wrap.js";

/**
 * `client.withOptions(...)` (openai, @anthropic-ai/sdk) builds a new client, so patches made on one instance
 * would not follow it. Wrap `withOptions` on the instance: every derived client is patched by `patchDerived`
 * (which follows its own `withOptions` in turn), and restoring `set` restores them too. Derived clients are held
 * weakly, so a per-request `withOptions({ timeout })` never keeps clients alive.
 */
/** Each derived client's patches live exactly as long as the client. */
const patchSets = new WeakMap<object, PatchSet>();

export function followDerivedClients(
  client: Record<string, unknown>,
  set: PatchSet,
  patchDerived: (derived: Record<string, unknown>) => PatchSet,
): void {
  if (typeof client.withOptions !== "function") return;
  let derived: WeakRef<object>[] = [];
  set.wrap(
    client,
    "withOptions",
    (original) =>
      function withOptions(this: unknown, ...args: unknown[]): unknown {
        const clone = original.apply(this, args);
        try {
          if (clone && typeof clone === "object" && clone !== client) {
            if (derived.length >= 64) derived = derived.filter((r) => r.deref() !== undefined);
            patchSets.set(clone, patchDerived(clone as Record<string, unknown>));
            derived.push(new WeakRef(clone));
          }
        } catch {
          /* the caller gets the client whatever happens here */
        }
        return clone;
      },
  );
  set.onRestore(() => {
    for (const ref of derived) {
      const clone = ref.deref();
      if (clone) patchSets.get(clone)?.restore();
    }
    derived = [];
  });
}
