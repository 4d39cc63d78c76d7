import type { Command } from "commander";
import type { LedgerEvent } from "../../core/event.js";
import { summarizeFailover, type FailoverSummaryRow } from "../../failover/ledger-summary.js";
import { renderTable, type Column } from "../format/table.js";
import type { Runner } from "../program.js";

/**
 * `tokenledger failover status`: per failover group and target, from the ledger, how many calls each target
 * took, answered and failed, how often calls moved away from it, and how often its breaker was found open.
 * (Live breaker state is per process: `failoverStatus()` from `tokenledger/failover` in the app itself.)
 */
export function registerFailover(program: Command, run: Runner): Command {
  const failover = program
    .command("failover")
    .description("Failover groups: attempts, answers, failures and switches per target, from the ledger.");
  failover
    .command("status")
    .description(
      "Per group and target over the last hours: attempts, answered, failed, switched away, skipped open.",
    )
    .option("--hours <n>", "how far back to look", "24")
    .option("--json", "print the rows as JSON")
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger failover status\n  $ tokenledger failover status --hours 1 --json`,
    )
    .action(
      run(async (ctx, opts: { hours: string; json?: boolean }) => {
        const hours = Number(opts.hours);
        if (!Number.isFinite(hours) || hours <= 0) {
          throw new Error(`failover status: --hours "${opts.hours}" is not a positive number`);
        }
        // Read-only: a status query never creates a ledger file.
        const storage = await ctx.existingStorage();
        const events: LedgerEvent[] = [];
        for await (const e of storage.events({ since: new Date(Date.now() - hours * 3_600_000) })) {
          // Only calls that went through a failover group carry `metadata.failover`; the rest are not attempts.
          if ((e.metadata as { failover?: unknown } | null)?.failover) events.push(e);
        }
        const rows = summarizeFailover(events);
        if (opts.json) {
          await ctx.out(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        if (rows.length === 0) {
          await ctx.out(`No failover activity in the last ${hours} h.\n`);
          return;
        }
        const n = (k: keyof FailoverSummaryRow) => (r: FailoverSummaryRow) => String(r[k]);
        const columns: Column<FailoverSummaryRow>[] = [
          { header: "Group", value: (r) => r.group, align: "left", key: true },
          { header: "Target", value: (r) => r.target, align: "left", key: true },
          { header: "Attempts", value: n("attempts") },
          { header: "Answered", value: n("answered") },
          { header: "Failed", value: n("failed") },
          { header: "Switched away", value: n("switchedAway") },
          { header: "Skipped (open)", value: n("skippedOpen") },
          {
            header: "Last failure",
            value: (r) =>
              r.lastFailureAt ? `${r.lastFailureReason} at ${r.lastFailureAt.toISOString()}` : "—",
            align: "left",
          },
        ];
        await ctx.out(`${renderTable(columns, rows, null, ctx.colors)}\n`);
      }),
    );
  return failover;
}
