/**
 * Recursively freeze a params object: any write to the caller's params (by the SDK call or by our wrapper)
 * then throws in strict mode. Stops at objects already frozen, so shared frozen parts and cycles are safe.
 */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
