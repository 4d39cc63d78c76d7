import { TokenLedgerError } from "../core/errors.js";
import type { BudgetScope } from "./types.js";

/**
 * A `block` budget refused the call before it was sent (no network request was made). Carries what a caller
 * needs to report or retry later.
 */
export class BudgetExceededError extends TokenLedgerError {
  override name = "BudgetExceededError";
  readonly status = 429;
  constructor(
    readonly budgetId: string,
    readonly scope: BudgetScope,
    readonly scopeId: string,
    readonly spentUsd: string,
    readonly reservedUsd: string,
    readonly limitUsd: string,
    readonly estimateUsd: string,
    readonly periodEnd: Date,
  ) {
    super(
      `budget ${budgetId} (${scope} ${scopeId}) would be exceeded: spent $${spentUsd} + reserved $${reservedUsd} + this call's estimate $${estimateUsd} > limit $${limitUsd} until ${periodEnd.toISOString()}`,
    );
  }
}

/** A budget applies to the call but its model has no price, and `unpriced: "block"` is set (the default). */
export class BudgetUnpricedError extends TokenLedgerError {
  override name = "BudgetUnpricedError";
  constructor(
    readonly model: string,
    readonly budgetId: string,
  ) {
    super(
      `budget ${budgetId}: model ${model} has no price, so its cost cannot be reserved; add a price override or set unpriced: "allow"`,
    );
  }
}

/** A `rate_limit` budget's per-minute limit would be passed: the call was not sent; retry after `retryAt`. */
export class BudgetRateLimitedError extends TokenLedgerError {
  override name = "BudgetRateLimitedError";
  readonly status = 429;
  constructor(
    readonly budgetId: string,
    readonly scope: BudgetScope,
    readonly scopeId: string,
    readonly limit: string,
    readonly retryAt: Date,
  ) {
    super(
      `budget ${budgetId} (${scope} ${scopeId}) rate limit ${limit} reached; retry after ${retryAt.toISOString()}`,
    );
  }
}
