/** Where tokenledger reports its own problems. Never throws; the default writes to stderr. */
export interface Logger {
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export const consoleLogger: Logger = {
  warn: (m) => process.stderr.write(`[tokenledger] warn: ${m}\n`),
  error: (m) => process.stderr.write(`[tokenledger] error: ${m}\n`),
};

export const silentLogger: Logger = { warn: () => {}, error: () => {} };

/** Wraps a logger so it can never throw and so a key logs at most once per `intervalMs`. */
export class SafeLogger {
  readonly #inner: Logger;
  readonly #last = new Map<string, number>();
  constructor(inner: Logger) {
    this.#inner = inner;
  }
  warn(message: string): void {
    try {
      this.#inner.warn(message);
    } catch {
      /* a logger must not break tracking */
    }
  }
  error(message: string): void {
    try {
      this.#inner.error(message);
    } catch {
      /* ignore */
    }
  }
  /**
   * Logs once per key and interval (Infinity: once per process). Problems that repeat per call (an unpriced
   * model, a full queue) would otherwise flood the host's logs at its request rate.
   */
  warnOnce(key: string, message: string, intervalMs = Number.POSITIVE_INFINITY): void {
    const now = Date.now();
    const last = this.#last.get(key);
    if (last !== undefined && (intervalMs === Number.POSITIVE_INFINITY || now - last < intervalMs)) return;
    this.#last.set(key, now);
    this.warn(message);
  }
}
