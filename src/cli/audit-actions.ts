import { existsSync } from "node:fs";
import type { CliContext } from "./context.js";
import { auditFromCli } from "./server-ledger.js";

/**
 * Audit a command that changed prices or ledger rows (`prices import`, `prices reprice`, `import <agent>`): one
 * call per command, after the change. Commands that do not otherwise touch the ledger (`prices import` writes
 * the local price cache) never create a SQLite ledger just to audit into it; ledgers without an audit trail
 * (memory, the HTTP backend) are skipped by auditFromCli.
 */
export async function auditCliAction(
  ctx: CliContext,
  action: string,
  target: string | null,
  details: Readonly<Record<string, unknown>>,
): Promise<void> {
  const t = ctx.target;
  if (t.kind === "sqlite" && !existsSync(t.path)) return;
  await auditFromCli(ctx, action, target, details);
}
