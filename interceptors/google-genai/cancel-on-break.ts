/**
 * `@google/genai` streams do not cancel their HTTP body when the caller stops iterating (`break`), so the model
 * keeps generating, and billing, past the partial usage we record. We add our own abort signal to the request
 * (`config.abortSignal`, combined with the caller's) and fire it on `break`. The caller's params are not mutated.
 */
export interface Cancellable {
  readonly args: unknown[];
  cancel(): void;
}

export function cancellableArgs(args: readonly unknown[]): Cancellable {
  const params = args[0];
  if (params === null || typeof params !== "object" || typeof AbortController !== "function") {
    return { args: [...args], cancel: () => {} };
  }
  const controller = new AbortController();
  const p = params as { config?: { abortSignal?: unknown } | null };
  const own = p.config?.abortSignal;
  const signal =
    own && typeof AbortSignal.any === "function" && own instanceof AbortSignal
      ? AbortSignal.any([own, controller.signal])
      : own
        ? undefined // a signal we cannot combine: leave the caller's in charge
        : controller.signal;
  if (!signal) return { args: [...args], cancel: () => {} };
  const config = { ...(p.config ?? {}), abortSignal: signal };
  return {
    args: [{ ...p, config }, ...args.slice(1)],
    cancel: () => controller.abort(),
  };
}
