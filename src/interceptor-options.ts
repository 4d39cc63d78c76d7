import { TokenLedgerConfigError } from "./core/errors.js";
import type { InterceptorOptions } from "../interceptors/_shared/types.js";

/** Keys of `InterceptorOptions` (interceptors/_shared/types.ts); a record, so a new option missing here is a type error. */
const KEY_SET: Record<keyof InterceptorOptions, true> = {
  openaiStreamUsage: true,
  azureDeployments: true,
  baseURLProviders: true,
  bedrockModelMap: true,
};
const KEYS: readonly string[] = Object.keys(KEY_SET);

/** `track({ interceptors })`: a typo (`openAIStreamUsage`) is an error naming it, not a silently ignored option. */
export function checkInterceptorOptions(options: unknown): void {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TokenLedgerConfigError(`Invalid tokenledger options: option "interceptors" must be an object`);
  }
  const unknown = Object.keys(options).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) {
    throw new TokenLedgerConfigError(
      `Invalid tokenledger options: option "interceptors" has unknown key ${unknown.map((k) => `"${k}"`).join(", ")} (accepted: ${KEYS.join(", ")})`,
    );
  }
}
