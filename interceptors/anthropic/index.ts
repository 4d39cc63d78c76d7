import type { InterceptorDefinition, InterceptorEnv } from "../_shared/types.js";
import { PatchSet } from "../_shared/wrap.js";
import { wrapCreate } from "./create-wrapper.js";
import { findMessagesTargets, type MessagesTarget } from "./targets.js";

/**
 * `@anthropic-ai/sdk`: patches `Messages.prototype.create` and `Beta.Messages.prototype.create`, which every
 * Messages helper (`stream()`, `parse()`, tool runners, threads) calls, so each request is recorded once.
 * `countTokens` is not billed and not recorded. The Bedrock and Vertex clients reuse these same classes.
 */
export const anthropicInterceptor: InterceptorDefinition = {
  id: "anthropic",
  packageNames: ["@anthropic-ai/sdk"],
  patchModule(moduleExports, env) {
    const targets = findMessagesTargets(moduleExports);
    return targets ? patchTargets(targets, env) : undefined;
  },
  instrumentClient(client, env) {
    const targets = findMessagesTargets(client);
    return targets ? patchTargets(targets, env) : undefined;
  },
};

function patchTargets(targets: readonly MessagesTarget[], env: InterceptorEnv): PatchSet {
  const set = new PatchSet();
  for (const { label, holder } of targets) {
    const create = holder ? (holder as { create?: unknown }).create : undefined;
    if (!holder || typeof create !== "function") {
      env.warnOnce(
        `anthropic:missing:${label}`,
        `tokenledger: @anthropic-ai/sdk has no ${label}.create to patch; those calls are not tracked (new SDK major?)`,
      );
      continue;
    }
    set.wrap(holder, "create", (original) => wrapCreate(original, env));
  }
  return set;
}
