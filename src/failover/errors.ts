import { TokenLedgerError } from "tokenledger";

/** Every target of a failover group is cooling down; thrown without contacting any of them. */
export class AllTargetsUnavailableError extends TokenLedgerError {
  override name = "AllTargetsUnavailableError";
  /** When the first target lets a probe through again. */
  readonly retryAt: Date;
  /** Milliseconds until `retryAt` when thrown (for a `Retry-After`). */
  readonly retryAfterMs: number;

  constructor(
    readonly group: string,
    retryAt: number,
    now: number,
  ) {
    const ms = Math.max(0, retryAt - now);
    super(`failover group "${group}": every target is unavailable; next retry in ${Math.ceil(ms / 1000)} s`);
    this.retryAt = new Date(retryAt);
    this.retryAfterMs = ms;
  }
}

/** A stream that ended without its format's terminal event (`[DONE]`, `message_stop`): the answer is cut. */
export class StreamCutError extends TokenLedgerError {
  override name = "StreamCutError";
}
