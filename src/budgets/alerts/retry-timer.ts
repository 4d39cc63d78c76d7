import type { AlertOutbox } from "./outbox.js";

/**
 * A long-running process (proxy, server) retries failed deliveries itself: every `everyMs` it delivers the
 * alerts whose backoff has passed. The timer never keeps the process alive; the returned function stops it.
 */
export function startAlertRetries(
  outbox: AlertOutbox,
  everyMs = 15_000,
  onError: (m: string) => void = (m) => process.stderr.write(`[tokenledger] warn: ${m}\n`),
): () => void {
  const timer = setInterval(() => {
    outbox
      .deliverDue()
      .catch((e: unknown) => onError(`alert retry failed: ${e instanceof Error ? e.message : String(e)}`));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
