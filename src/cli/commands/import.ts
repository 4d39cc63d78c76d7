import type { Command } from "commander";
import { auditCliAction } from "../audit-actions.js";
import { existsSync } from "node:fs";
import { claudeCodeImporter, defaultClaudeCodeDirs } from "../../importers/claude-code.js";
import { codexImporter, defaultCodexDirs } from "../../importers/codex.js";
import { defaultGeminiCliDir, geminiCliImporter } from "../../importers/gemini-cli.js";
import { jsonlImporter } from "../../importers/jsonl.js";
import { runImport, type ImportSummary } from "../../importers/run-import.js";
import { registerBatchImports } from "./import-batches.js";
import { ImportState, importStatePath } from "../../importers/state.js";
import type { AgentImporter } from "../../importers/types.js";
import type { CliContext } from "../context.js";
import { terminalProgress } from "../progress.js";
import type { Runner } from "../program.js";

interface ImportOptions {
  readonly dir?: readonly string[];
  readonly full?: boolean;
  readonly json?: boolean;
}

export function registerImport(program: Command, run: Runner): Command {
  const command = program
    .command("import")
    .description("Import token usage from coding agents' local logs (re-running adds only what is new).")
    .addHelpText(
      "after",
      `
Examples:
  $ tokenledger import claude-code
  $ tokenledger import codex --dir /mnt/backup/.codex/sessions
  $ tokenledger import gemini-cli
  $ tokenledger import jsonl usage-export.jsonl`,
    );
  const agents = agentTable();
  for (const [name, importer, dirs, what] of agents) {
    const dir = dirs.join(", ");
    command
      .command(name)
      .description(`Import ${what}.`)
      .option(
        "-d, --dir <dir>",
        `directory (or one file) to read; repeat for several (default: ${dir})`,
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      )
      .option("--full", "re-read every file, even those unchanged since the last import")
      .option("--json", "print the summary as JSON")
      .addHelpText(
        "after",
        `\nExamples:\n  $ tokenledger import ${name}\n  $ tokenledger import ${name} --dir ${dir} --json`,
      )
      .action(
        run((ctx, opts: ImportOptions) => importAgent(ctx, importer, opts.dir ?? existingOr(dirs), opts)),
      );
  }
  command
    .command("jsonl")
    .description(
      "Import a file of usage events, one JSON object per line (format: src/importers/JSONL_FORMAT.md).",
    )
    .argument("<file>", "a .jsonl file (or a directory of them)")
    .option("--full", "re-read the file even if unchanged since the last import")
    .option("--json", "print the summary as JSON")
    .addHelpText(
      "after",
      `
Line format (one per line):
  {"timestamp":"2026-11-01T10:00:00Z","provider":"openai","model":"gpt-4o",
   "usage":{"uncachedInputTokens":1200,"cacheReadTokens":300,"outputTokens":250},
   "attribution":{"teamId":"eng"}}

Examples:
  $ tokenledger import jsonl usage.jsonl
  $ tokenledger import jsonl ./exports/ --json`,
    )
    .action(run((ctx, file: string, opts: ImportOptions) => importAgent(ctx, jsonlImporter, [file], opts)));
  registerBatchImports(command, run, importAgent);
  return command;
}

// A function, not a constant: the default directories read the environment (CLAUDE_CONFIG_DIR, CODEX_HOME, ...)
// when a command runs, so tests and users can point them elsewhere per run.
function agentTable(): [string, AgentImporter, string[], string][] {
  return [
    [
      "claude-code",
      claudeCodeImporter,
      defaultClaudeCodeDirs(),
      "Claude Code transcripts (projects/<dir>/<session>.jsonl, subagents included)",
    ],
    [
      "codex",
      codexImporter,
      defaultCodexDirs(),
      "Codex CLI rollouts (sessions/YYYY/MM/DD/rollout-*.jsonl, archived_sessions)",
    ],
    [
      "gemini-cli",
      geminiCliImporter,
      [defaultGeminiCliDir()],
      "Gemini CLI chat recordings (tmp/<project hash>/chats/session-*.json)",
    ],
  ];
}

/**
 * `report --import`: import the agents' logs from their default homes (those that exist) before the report,
 * with a one-line note per agent on stderr, so one command gives the first answer.
 */
export async function importBeforeReport(ctx: CliContext, names: readonly string[]): Promise<void> {
  for (const [name, importer, dirs] of agentTable()) {
    if (!names.includes(name)) continue;
    const found = dirs.filter((d) => existsSync(d));
    if (found.length === 0) {
      if (names.length === 1) ctx.note(`import ${name}: no logs at ${dirs.join(", ")}`);
      continue;
    }
    const storage = await ctx.storage();
    const state = await ImportState.load(importStatePath(ctx.target));
    const progress = terminalProgress(`import ${name}`);
    const started = performance.now();
    const s = await runImport({
      importer,
      root: found,
      storage,
      pricer: await ctx.pricer(),
      state,
      ...(progress ? { progress } : {}),
    });
    ctx.note(
      `imported ${name}: ${s.events} events from ${s.files - s.filesUnchanged} changed file(s) of ${s.files}, ${(s.bytesRead / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(2)} s`,
    );
  }
}

/** Default homes that exist (several `CLAUDE_CONFIG_DIR` roots need not all have logs); the first when none do. */
function existingOr(dirs: readonly string[]): string[] {
  const found = dirs.filter((d) => existsSync(d));
  return found.length > 0 ? found : [dirs[0]!];
}

export async function importAgent(
  ctx: CliContext,
  importer: AgentImporter,
  roots: readonly string[],
  opts: ImportOptions,
): Promise<void> {
  const root = roots.join(", ");
  const storage = await ctx.storage();
  const pricer = await ctx.pricer();
  const statePath = importStatePath(ctx.target);
  ctx.debug(`import state: ${statePath}`);
  const state = await ImportState.load(statePath);
  // "New in ledger" is the row count after minus before, not the importer's own count, so a rerun over the
  // same logs reports what the ledger really gained (see summaryJson).
  const before = (await storage.rollup({})).totals.events;
  const started = performance.now();
  // CPU beside wall time: on a loaded machine the wall clock alone says little about import speed.
  const cpuBefore = process.cpuUsage();
  const progress = terminalProgress(`import ${importer.agent}`);
  const summary = await runImport({
    importer,
    root: roots,
    storage,
    pricer,
    state,
    ...(opts.full ? { full: true } : {}),
    ...(progress ? { progress } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const added = (await storage.rollup({})).totals.events - before;
  await auditCliAction(ctx, "import.run", importer.agent, { roots, added, full: opts.full === true });
  ctx.debug(
    `read ${(summary.bytesRead / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s (${(summary.bytesRead / 1e6 / Math.max(seconds, 1e-9)).toFixed(1)} MB/s)`,
  );
  await printSummary(ctx, summary, added, root, { seconds, cpuSeconds }, opts.json === true);
}

async function printSummary(
  ctx: CliContext,
  s: ImportSummary,
  added: number,
  root: string,
  time: { seconds: number; cpuSeconds: number },
  json: boolean,
): Promise<void> {
  if (json) {
    await ctx.out(`${JSON.stringify(summaryJson(s, added, root, time), null, 2)}\n`);
    return;
  }
  await ctx.out(`${summaryLines(s, added, root).join("\n")}\n`);
  for (const m of s.malformedSamples) ctx.note(`malformed: ${m.file}:${m.line}: ${m.reason}`);
  for (const k of s.skipped) ctx.note(`unreadable: ${k.path}: ${k.reason}`);
  if (s.malformedLines > s.malformedSamples.length)
    ctx.note(`... and ${s.malformedLines - s.malformedSamples.length} more malformed line(s)`);
  if (Object.keys(s.unpriced).length > 0)
    ctx.note("Unpriced events are stored with cost null; run `tokenledger prices check` for the fix.");
}

/**
 * The `--json` summary. `events` counts what was read; `newEvents` what the ledger gained (measured by the
 * caller as a row-count difference), so a rerun over the same logs shows everything as already stored.
 */
function summaryJson(
  s: ImportSummary,
  added: number,
  root: string,
  time: { seconds: number; cpuSeconds: number },
) {
  return {
    agent: s.agent,
    source: root,
    files: s.files,
    filesUnchanged: s.filesUnchanged,
    bytesRead: s.bytesRead,
    events: s.events,
    newEvents: added,
    alreadyInLedger: s.events - added,
    duplicatesSkipped: s.duplicates,
    filesResumed: s.filesResumed,
    provisional: s.provisional,
    revised: s.revised,
    incompleteLastLines: s.incompleteTails,
    skipped: s.skipped,
    malformedLines: s.malformedLines,
    malformedSamples: s.malformedSamples,
    unpricedModels: s.unpriced,
    seconds: Math.round(time.seconds * 1000) / 1000,
    cpuSeconds: Math.round(time.cpuSeconds * 1000) / 1000,
  };
}

/** The human summary; lines for resumed, provisional, revised, incomplete and unreadable appear only when non-zero. */
function summaryLines(s: ImportSummary, added: number, root: string): string[] {
  const lines = [
    `Imported ${s.agent} from ${root}`,
    `  files:              ${s.files} (${s.filesUnchanged} unchanged, skipped)`,
    `  events read:        ${s.events}`,
    `  new in ledger:      ${added}`,
    `  already in ledger:  ${s.events - added}`,
    `  duplicates skipped: ${s.duplicates}`,
    ...(s.filesResumed ? [`  files read on:      ${s.filesResumed} (only their new bytes)`] : []),
    ...(s.provisional
      ? [`  provisional:        ${s.provisional} (still streaming; revised by the next import)`]
      : []),
    ...(s.revised ? [`  revised:            ${s.revised} (earlier provisional rows)`] : []),
    ...(s.incompleteTails
      ? [`  incomplete lines:   ${s.incompleteTails} (a last line still being written; read next time)`]
      : []),
    ...(s.skipped.length
      ? [`  unreadable:         ${s.skipped.length} (named below; a rerun retries them)`]
      : []),
    `  malformed lines:    ${s.malformedLines}`,
  ];
  const unpriced = Object.entries(s.unpriced);
  if (unpriced.length > 0) {
    lines.push(`  unpriced models:    ${unpriced.map(([k, n]) => `${k} (${n})`).join(", ")}`);
  }
  return lines;
}
