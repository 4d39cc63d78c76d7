import { Option, type Command } from "commander";
import type { Runner } from "../program.js";

/**
 * `tokenledger quota`: OpenRouter credits and GitHub Copilot premium requests, live. Everything heavy (Ink,
 * React, the keyring) is imported inside the actions, so other commands never load it.
 */
export function registerQuota(program: Command, run: Runner): Command {
  const quota = program
    .command("quota")
    .description("Quota monitor: OpenRouter key limits and credits, GitHub Copilot premium requests.")
    .option("--json", "print one snapshot as JSON (for scripts and status lines)")
    .option("--once", "fetch once and print, no dashboard")
    .addHelpText(
      "after",
      `
On a terminal this opens a live dashboard (j/k move, r refresh, a add, d delete, q quit).
Credentials: the OS keyring (Linux: Secret Service, then the kernel keyring), else a 0600 file after a notice;
OPENROUTER_API_KEY, OPENROUTER_MANAGEMENT_API_KEY and TOKENLEDGER_COPILOT_TOKEN always win.

Examples:
  $ tokenledger quota add openrouter
  $ tokenledger quota add copilot
  $ tokenledger quota --json --once`,
    )
    .action(
      run(async (ctx, opts: { json?: boolean; once?: boolean }) => {
        const { showQuota } = await import("./quota-actions.js");
        await showQuota(ctx, opts);
      }),
    );
  registerAccountCommands(quota, run);
  return quota;
}

/** `quota add|list|rm`: the accounts the dashboard watches. */
function registerAccountCommands(quota: Command, run: Runner): void {
  quota
    .command("add")
    .description(
      "Add an account: the key is typed hidden (or read from stdin); Copilot uses GitHub's device flow.",
    )
    .addOption(new Option("--host <host>", "GitHub Enterprise host (copilot only)"))
    // --stdin exists so a key never has to appear in argv (visible in `ps` and shell history).
    .option("--stdin", "read the key or token from standard input instead of a prompt")
    .argument("<provider>", "openrouter or copilot")
    .action(
      run(async (ctx, provider: string, opts: { host?: string; stdin?: boolean }) => {
        const { addAccount } = await import("./quota-actions.js");
        await addAccount(ctx, provider, opts);
      }),
    );
  quota
    .command("list")
    .description("List the watched accounts and where their credentials come from.")
    .action(
      run(async (ctx) => {
        const { listAccounts } = await import("./quota-actions.js");
        await listAccounts(ctx);
      }),
    );
  // Removing an account forgets the credential only: quota history already recorded stays a fact in the ledger.
  quota
    .command("rm")
    .description("Stop watching an account and delete its stored credential (history stays in the ledger).")
    .argument("<account>", "provider/label or provider:accountId, as `quota list` shows")
    .action(
      run(async (ctx, which: string) => {
        const { removeAccount } = await import("./quota-actions.js");
        await removeAccount(ctx, which);
      }),
    );
}
