import { TokenLedgerConfigError } from "./core/errors.js";
import type { InterceptorOptions } from "../interceptors/_shared/types.js";

/** Keys of `InterceptorOptions` (interceptors/_shared/types.ts); a record, so a new option missing here is a type error. */
const KEY_SET: Record<keyof InterceptorOptions, true> = {
  openaiStreamUsage: true,
  azureDeployments: true,
  baseURLProviders: true,
  bedrockModelMap: true,
  openaiBackgroundPoll: true,
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
  checkBackgroundPoll((options as { openaiBackgroundPoll?: unknown }).openaiBackgroundPoll);
}

/** `openaiBackgroundPoll`: a boolean, or `{ intervalMs, maxWaitMs }` with positive finite numbers. */
function checkBackgroundPoll(value: unknown): void {
  if (value === undefined || typeof value === "boolean") return;
  const fail = (why: string, key = ""): never => {
    throw new TokenLedgerConfigError(
      `Invalid tokenledger options: option "interceptors.openaiBackgroundPoll${key}" ${why}`,
    );
  };
  if (value === null || typeof value !== "object" || Array.isArray(value))
    fail("must be true, false or { intervalMs, maxWaitMs }");
  for (const [key, v] of Object.entries(value as object)) {
    if (key !== "intervalMs" && key !== "maxWaitMs")
      fail(`has unknown key "${key}" (accepted: intervalMs, maxWaitMs)`);
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0)
      fail("must be a positive number of milliseconds", `.${key}`);
  }
}
