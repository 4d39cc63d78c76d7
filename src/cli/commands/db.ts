import type { Command } from "commander";
import { describeTarget } from "../../core/database-url.js";
import type { CliContext } from "../context.js";
import type { Runner } from "../program.js";

/** What `db` needs from a SQL adapter; structural, so this command imports no adapter type at start-up. */
interface Migratable {
  init(): Promise<void>;
  close(): Promise<void>;
  migrateToLatest(): Promise<string[]>;
  migrationStatus(): Promise<{ applied: readonly string[]; pending: readonly string[] }>;
}

export function registerDb(program: Command, run: Runner): Command {
  const db = program
    .command("db")
    .description("Ledger schema: apply migrations or show their status.")
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger db status\n  $ tokenledger --db postgres://app@db:5432/usage db migrate`,
    );
  db.command("migrate")
    .description("Apply pending schema migrations (the SDK also does this on start unless migrate: false).")
    .option("--json", "print { ledger, applied } as JSON")
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger db migrate\n  $ TOKENLEDGER_DATABASE_URL=postgres://localhost/usage tokenledger db migrate`,
    )
    .action(
      run(async (ctx, opts: { json?: boolean }) => {
        await withLedger(ctx, async (storage) => {
          const applied = await storage.migrateToLatest();
          if (opts.json)
            await ctx.out(`${JSON.stringify({ ledger: describeTarget(ctx.target), applied }, null, 2)}\n`);
          else
            await ctx.out(
              applied.length
                ? `Applied ${applied.length} migration(s): ${applied.join(", ")}\n`
                : "Schema is up to date.\n",
            );
        });
      }),
    );
  db.command("status")
    .description("List applied and pending migrations without changing anything.")
    .option("--json", "print { ledger, applied, pending } as JSON")
    .addHelpText("after", `\nExamples:\n  $ tokenledger db status\n  $ tokenledger db status --json`)
    .action(
      run(async (ctx, opts: { json?: boolean }) => {
        await withLedger(ctx, async (storage) => {
          const status = await storage.migrationStatus();
          const ledger = describeTarget(ctx.target);
          if (opts.json) {
            await ctx.out(
              `${JSON.stringify({ ledger, applied: status.applied, pending: status.pending }, null, 2)}\n`,
            );
            return;
          }
          await ctx.out(
            `Ledger: ${ledger}\nApplied: ${status.applied.length ? status.applied.join(", ") : "(none)"}\n` +
              `Pending: ${status.pending.length ? status.pending.join(", ") : "(none)"}\n`,
          );
        });
      }),
    );
  return db;
}

/** Open the ledger WITHOUT migrating on init, so `status` reports what is really there. */
async function withLedger(ctx: CliContext, body: (storage: Migratable) => Promise<void>): Promise<void> {
  const t = ctx.target;
  if (t.kind === "memory") throw new Error("db: the in-memory ledger has no schema to migrate");
  if (t.kind === "http")
    throw new Error(
      "db: a tokenledger server migrates its own database; run `tokenledger db` against the server's --db",
    );
  // Not ctx.storage(): that one migrates on init, which would make `status` always report "up to date".
  // Adapters load by dynamic import so only the selected driver (better-sqlite3 or pg) is required.
  const storage: Migratable =
    t.kind === "sqlite"
      ? (await import("tokenledger/sqlite")).sqliteStorage({ path: t.path, migrate: false })
      : (await import("tokenledger/postgres")).postgresStorage({ connectionString: t.url, migrate: false });
  await storage.init();
  try {
    await body(storage);
  } finally {
    await storage.close();
  }
}
