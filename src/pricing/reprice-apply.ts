import type { LedgerEvent } from "../core/event.js";
import type { Pricer } from "../core/pricer.js";
import type { StorageAdapter } from "../core/storage.js";
import { TokenLedgerConfigError } from "../core/errors.js";
import { planReprice, type RepricePlan } from "./reprice.js";

export interface ApplyRepriceOptions {
  /** Only events at or after this time. */
  readonly since?: Date;
  /** Only models matching this pattern (`*` matches any run of characters; case-insensitive). */
  readonly model?: string;
  /** Compute the plan only; write nothing. */
  readonly dryRun?: boolean;
}

export interface RepriceResult extends RepricePlan {
  /** Events rewritten in the ledger (0 on a dry run). */
  readonly written: number;
}

/**
 * Reprice stored events with the current prices, each at its own time, and write the changed ones back:
 * all changed rows in one `replaceBatch` call, so the events and every rollup projection change in one
 * transaction (all or nothing). Provided costs are kept; unchanged events are not touched, so a second run
 * writes nothing.
 */
export async function applyReprice(
  storage: StorageAdapter,
  pricer: Pricer,
  options: ApplyRepriceOptions = {},
): Promise<RepriceResult> {
  const replace = storage.replaceBatch?.bind(storage);
  if (!options.dryRun && !replace)
    throw new TokenLedgerConfigError(
      `prices reprice: the ${storage.kind} storage cannot overwrite stored events, so nothing was changed; use --dry-run to see the before/after totals`,
    );
  const changed: LedgerEvent[] = [];
  const plan = await planReprice(storage.events(options.since ? { since: options.since } : {}), pricer, {
    ...(options.model !== undefined ? { model: options.model } : {}),
    onChange: (e) => changed.push(e),
  });
  // Written only after the scan ends: the event stream pages by cursor and must not see its own writes.
  if (options.dryRun || !replace || changed.length === 0) return { ...plan, written: 0 };
  await replace(changed);
  return { ...plan, written: changed.length };
}
