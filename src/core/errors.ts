/**
 * Why errors carry a brand: every package entry (`tokenledger`, `tokenledger/storage-kit`, the ESM and the CJS
 * build) bundles its own copy of these classes, so a `StorageError` made by an adapter is not the same class
 * object as the one an application imports. `instanceof` therefore also accepts an object whose class chain
 * carries the same registered brand. Subclasses without a brand of their own keep plain `instanceof`.
 */
const BRAND = Symbol.for("tokenledger.errorClass");

type Branded = { readonly [BRAND]?: string };

function hasBrandedAncestor(value: unknown, brand: string): boolean {
  if (typeof value !== "object" || value === null) return false;
  for (let p: unknown = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p)) {
    const ctor = (p as { constructor?: Branded }).constructor;
    if (ctor !== undefined && Object.hasOwn(ctor, BRAND) && ctor[BRAND] === brand) return true;
  }
  return false;
}

/** Base of every error tokenledger throws on purpose. Tracking failures never throw into the caller. */
export class TokenLedgerError extends Error {
  static readonly [BRAND]: string = "TokenLedgerError";
  override name = "TokenLedgerError";

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return Object.hasOwn(this, BRAND) && hasBrandedAncestor(value, (this as Branded)[BRAND]!);
  }
}

/** Bad options or config: thrown at setup time, naming the option and why it is wrong. */
export class TokenLedgerConfigError extends TokenLedgerError {
  static override readonly [BRAND]: string = "TokenLedgerConfigError";
  override name = "TokenLedgerConfigError";
}

/** A storage backend failed; carries whether a retry can help. */
export class StorageError extends TokenLedgerError {
  static override readonly [BRAND]: string = "StorageError";
  override name = "StorageError";
  constructor(
    message: string,
    readonly kind: "transient" | "row" | "backend",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
