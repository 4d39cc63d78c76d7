import type { Command } from "commander";
import { TokenLedgerConfigError } from "../../core/errors.js";
import type { Runner } from "../program.js";
import { serverLedger } from "../server-ledger.js";

export function registerAudit(program: Command, run: Runner): Command {
  const audit = program
    .command("audit")
    .description("The tamper-evident audit trail: verify its hash chain.")
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger audit verify\n  $ tokenledger --db postgres://app@db/usage audit verify --json`,
    );
  audit
    .command("verify")
    .description("Recompute the audit trail's hash chain; names the first row that was changed or removed.")
    .option("--json", "print the verdict as JSON")
    .action(
      run(async (ctx, o: { json?: boolean }) => {
        const verdict = await (await serverLedger(ctx)).audit.verify();
        // The JSON verdict is printed even when broken, then the error gives a non-zero exit: a script gets both
        // the details and a status it can test.
        if (o.json) await ctx.out(`${JSON.stringify(verdict, null, 2)}\n`);
        if (!verdict.ok)
          throw new TokenLedgerConfigError(
            `audit trail broken at seq ${verdict.seq}: ${verdict.reason} (${verdict.rows} rows before it verified)`,
          );
        if (!o.json) await ctx.out(`Audit trail intact: ${verdict.rows} rows verified.\n`);
      }),
    );
  return audit;
}
