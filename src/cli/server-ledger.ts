import { userInfo } from "node:os";
import { TokenLedgerConfigError } from "../core/errors.js";
import { asServerStorage, type ServerStorage } from "../server/ports.js";
import type { CliContext } from "./context.js";

/** The ledger as the server (and `keys`, `audit`) need it: SQLite or PostgreSQL. */
export async function serverLedger(ctx: CliContext): Promise<ServerStorage> {
  const storage = await ctx.storage();
  const s = asServerStorage(storage);
  if (!s)
    throw new TokenLedgerConfigError(
      `--db: the server, API keys and the audit trail need a SQLite or PostgreSQL ledger; this one is ${storage.kind}`,
    );
  return s;
}

/** The audit trail's actor for command-line changes. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli:unknown";
  }
}

/** Record a command-line change in the audit trail (SQL ledgers; a memory ledger has none). */
export async function auditFromCli(
  ctx: CliContext,
  action: string,
  target: string | null,
  details: Readonly<Record<string, unknown>>,
): Promise<void> {
  const s = asServerStorage(await ctx.storage());
  if (s) await s.audit.append({ actor: cliActor(), action, target, details });
}
