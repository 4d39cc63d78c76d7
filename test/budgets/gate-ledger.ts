import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BudgetGuard, parseBudget, type BudgetInput, type Pricer } from "tokenledger";
import { sqliteStorage, type SqliteStorage } from "tokenledger/sqlite";

/** A real SQLite ledger file with a BudgetGuard installed as the process's pre-call gate (one per test). */
export interface GateLedger {
  readonly storage: SqliteStorage;
  readonly guard: BudgetGuard;
  put(input: BudgetInput): Promise<void>;
  close(): Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), "tl-budget-gate-"));
let n = 0;

export async function gateLedger(pricer: Pricer): Promise<GateLedger> {
  const storage = sqliteStorage({ path: join(dir, `g${process.pid}-${n++}.db`) });
  await storage.init();
  const guard = new BudgetGuard({ store: storage.budgets, pricer }).install();
  return {
    storage,
    guard,
    async put(input) {
      await storage.budgets.put(parseBudget(input));
      guard.invalidate();
    },
    async close() {
      await guard.idle();
      guard.uninstall();
      await storage.close();
    },
  };
}

export function removeGateLedgers(): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A tiny cap the first call's estimate already passes. */
export const TINY = "0.000001";
