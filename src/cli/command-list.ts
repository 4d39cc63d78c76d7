import type { Command } from "commander";
import type { Runner } from "./program.js";

/** Adds one command (and its subcommands) to the program; the shape every `registerX` in ./commands has. */
export type RegisterCommand = (program: Command, run: Runner) => Command;

/**
 * A command loaded only when it runs. Start-up (`--version`, `--help`, the top-level listing) reads just the name and
 * summary; the module behind `load` (and whatever it imports: storage drivers, config loader, price catalog,
 * importers, Ink) is imported when the command line names it.
 */
export interface LazyCommand {
  readonly name: string;
  /** Shown in `tokenledger --help`; the same text as the command's own `.description()` (a test compares them). */
  readonly summary: string;
  /** How the top-level help names it, e.g. "report [options]" (commander's term for the loaded command; tested). */
  readonly term: string;
  readonly load: () => Promise<RegisterCommand>;
}

/**
 * The commands in help order. A new command: one entry here (its module exports `registerX(program, run)`).
 * Each `load` imports a literal path, so the bundler gives every command its own chunk and `--help` parses none.
 * `reprice` is also `prices reprice`: one register function mounted in both places, so the two cannot drift.
 */
export const LAZY_COMMANDS: readonly LazyCommand[] = [
  {
    name: "report",
    term: "report [options]",
    summary: "Token and cost totals per period, grouped by any dimension.",
    load: async () => (await import("./commands/report.js")).registerReport,
  },
  {
    name: "costs",
    term: "costs [options]",
    summary:
      "What you pay: metered cost, $/MTok from your real token mix, and flat subscriptions blended in.",
    load: async () => (await import("./commands/costs.js")).registerCosts,
  },
  {
    name: "prices",
    term: "prices",
    summary:
      "The price catalog: list it, see how a model is priced, import LiteLLM prices, find unpriced events.",
    load: async () => (await import("./commands/prices.js")).registerPrices,
  },
  {
    name: "export",
    term: "export [options]",
    summary: "Stream events or a rollup as CSV or JSON Lines, to stdout or a file.",
    load: async () => (await import("./commands/export.js")).registerExport,
  },
  {
    name: "db",
    term: "db",
    summary: "Ledger schema: apply migrations or show their status.",
    load: async () => (await import("./commands/db.js")).registerDb,
  },
  {
    name: "import",
    term: "import",
    summary: "Import token usage from coding agents' local logs (re-running adds only what is new).",
    load: async () => (await import("./commands/import.js")).registerImport,
  },
  {
    name: "quota",
    term: "quota [options]",
    summary: "Quota monitor: OpenRouter key limits and credits, GitHub Copilot premium requests.",
    load: async () => (await import("./commands/quota.js")).registerQuota,
  },
  {
    name: "budget",
    term: "budget",
    summary:
      "Spending budgets per org, team, user, project, feature or cost center, with alerts and enforcement.",
    load: async () => (await import("./commands/budget.js")).registerBudget,
  },
  {
    name: "failover",
    term: "failover",
    summary: "Failover groups: attempts, answers, failures and switches per target, from the ledger.",
    load: async () => (await import("./commands/failover.js")).registerFailover,
  },
  {
    name: "otel",
    term: "otel",
    summary: "OpenTelemetry: send stored events to an OTLP collector as GenAI spans.",
    load: async () => (await import("./commands/otel.js")).registerOtel,
  },
  {
    name: "reprice",
    term: "reprice [options]",
    summary:
      "Price stored events again with the current prices (each at its own time), write the changed costs and show the before/after totals.",
    load: async () => (await import("./commands/prices-reprice.js")).registerPricesReprice,
  },
  {
    name: "advice",
    term: "advice [options]",
    summary:
      "Savings advice, cost anomalies and a month-end forecast, computed from the ledger's own events.",
    load: async () => (await import("./commands/advice.js")).registerAdvice,
  },
  {
    name: "agent",
    term: "agent",
    summary: "Point coding agents (Claude Code, Codex) at the tracking proxy and the OTLP receiver.",
    load: async () => (await import("./commands/agent.js")).registerAgent,
  },
  {
    name: "proxy",
    term: "proxy [options]",
    summary: "Tracking proxy for coding agents and apps in any language: point their base URL here.",
    load: async () => (await import("./commands/proxy.js")).registerProxy,
  },
  {
    name: "serve",
    term: "serve [options]",
    summary: "HTTP API (and dashboard) over the ledger: ingest from many hosts, reports, budgets, audit.",
    load: async () => (await import("./commands/serve.js")).registerServe,
  },
  {
    name: "keys",
    term: "keys",
    summary: "API keys for tokenledger serve: create (the secret is shown once), list, revoke.",
    load: async () => (await import("./commands/keys.js")).registerKeys,
  },
  {
    name: "audit",
    term: "audit",
    summary: "The tamper-evident audit trail: verify its hash chain.",
    load: async () => (await import("./commands/audit.js")).registerAudit,
  },
];

/**
 * Global options that take a value: the word after them is not the command's name (`--db report.db costs` runs
 * costs). Only these two; a new global option with a value must be added here or it would load the wrong command.
 */
const VALUE_OPTIONS = new Set(["--db", "--config"]);

/**
 * The command words an argument list names: the first word that is not an option (or an option's value), and for
 * `help <command>` the word after it too. Options after the command name belong to the command and are not read.
 */
export function commandWords(args: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < args.length && words.length < 2; i++) {
    const arg = args[i]!;
    if (arg === "--") break; // after `--` come operands, never a command name
    if (arg.startsWith("-")) {
      if (words.length === 0 && VALUE_OPTIONS.has(arg)) i++;
      continue;
    }
    words.push(arg);
    if (arg !== "help") break;
  }
  return words;
}
