import { TokenLedgerConfigError } from "./core/errors.js";
import type { InterceptorOptions } from "../interceptors/_shared/types.js";

/** Keys of `InterceptorOptions` (interceptors/_shared/types.ts): add new options here too. */
const KEYS: readonly (keyof InterceptorOptions)[] = [
  "openaiStreamUsage",
  "azureDeployments",
  "baseURLProviders",
  "bedrockModelMap",
];

/** `track({ interceptors })`: a typo (`openAIStreamUsage`) is an error naming it, not a silently ignored option. */
export function checkInterceptorOptions(options: unknown): void {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TokenLedgerConfigError(`Invalid tokenledger options: option "interceptors" must be an object`);
  }
  const unknown = Object.keys(options).filter((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new TokenLedgerConfigError(
      `Invalid tokenledger options: option "interceptors" has unknown key ${unknown.map((k) => `"${k}"`).join(", ")} (accepted: ${KEYS.join(", ")})`,
    );
  }
}
