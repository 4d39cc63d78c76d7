/** Base of every error tokenledger throws on purpose. Tracking failures never throw into the caller. */
export class TokenLedgerError extends Error {
  override name = "TokenLedgerError";
}

/** Bad options or config: thrown at setup time, naming the option and why it is wrong. */
export class TokenLedgerConfigError extends TokenLedgerError {
  override name = "TokenLedgerConfigError";
}

/** A storage backend failed; carries whether a retry can help. */
export class StorageError extends TokenLedgerError {
  override name = "StorageError";
  constructor(
    message: string,
    readonly kind: "transient" | "row" | "backend",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
