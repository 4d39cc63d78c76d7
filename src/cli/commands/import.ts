import type { Command } from "commander";
import { claudeCodeImporter, defaultClaudeCodeDir } from "../../importers/claude-code.js";
import { codexImporter, defaultCodexDir } from "../../importers/codex.js";
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
  readonly dir?: string;
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
  const agents: [string, AgentImporter, string, string][] = [
    [
      "claude-code",
      claudeCodeImporter,
      defaultClaudeCodeDir(),
      "Claude Code transcripts (projects/<dir>/<session>.jsonl)",
    ],
    ["codex", codexImporter, defaultCodexDir(), "Codex CLI rollouts (sessions/YYYY/MM/DD/rollout-*.jsonl)"],
    [
      "gemini-cli",
      geminiCliImporter,
      defaultGeminiCliDir(),
      "Gemini CLI chat recordings (tmp/<project hash>/chats/session-*.json)",
    ],
  ];
  for (const [name, importer, dir, what] of agents) {
    command
      .command(name)
      .description(`Import ${what}.`)
      .option("-d, --dir <dir>", "directory (or one file) to read", dir)
      .option("--full", "re-read every file, even those unchanged since the last import")
      .option("--json", "print the summary as JSON")
      .addHelpText(
        "after",
        `\nExamples:\n  $ tokenledger import ${name}\n  $ tokenledger import ${name} --dir ${dir} --json`,
      )
      .action(run((ctx, opts: ImportOptions) => importAgent(ctx, importer, opts.dir ?? dir, opts)));
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
    .action(run((ctx, file: string, opts: ImportOptions) => importAgent(ctx, jsonlImporter, file, opts)));
  registerBatchImports(command, run, importAgent);
  return command;
}

export async function importAgent(
  ctx: CliContext,
  importer: AgentImporter,
  root: string,
  opts: ImportOptions,
): Promise<void> {
  const storage = await ctx.storage();
  const pricer = await ctx.pricer();
  const statePath = importStatePath(ctx.target);
  ctx.debug(`import state: ${statePath}`);
  const state = await ImportState.load(statePath);
  const before = (await storage.rollup({})).totals.events;
  const started = performance.now();
  const progress = terminalProgress(`import ${importer.agent}`);
  const summary = await runImport({
    importer,
    root,
    storage,
    pricer,
    state,
    ...(opts.full ? { full: true } : {}),
    ...(progress ? { progress } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  const added = (await storage.rollup({})).totals.events - before;
  ctx.debug(
    `read ${(summary.bytesRead / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s (${(summary.bytesRead / 1e6 / Math.max(seconds, 1e-9)).toFixed(1)} MB/s)`,
  );
  await printSummary(ctx, summary, added, root, seconds, opts.json === true);
}

async function printSummary(
  ctx: CliContext,
  s: ImportSummary,
  added: number,
  root: string,
  seconds: number,
  json: boolean,
): Promise<void> {
  const alreadyStored = s.events - added;
  if (json) {
    await ctx.out(
      `${JSON.stringify(
        {
          agent: s.agent,
          source: root,
          files: s.files,
          filesUnchanged: s.filesUnchanged,
          bytesRead: s.bytesRead,
          events: s.events,
          newEvents: added,
          alreadyInLedger: alreadyStored,
          duplicatesSkipped: s.duplicates,
          deferredStillWriting: s.deferred,
          malformedLines: s.malformedLines,
          malformedSamples: s.malformedSamples,
          unpricedModels: s.unpriced,
          seconds: Math.round(seconds * 1000) / 1000,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const lines = [
    `Imported ${s.agent} from ${root}`,
    `  files:              ${s.files} (${s.filesUnchanged} unchanged, skipped)`,
    `  events read:        ${s.events}`,
    `  new in ledger:      ${added}`,
    `  already in ledger:  ${alreadyStored}`,
    `  duplicates skipped: ${s.duplicates}`,
    ...(s.deferred
      ? [`  deferred:           ${s.deferred} (file still being written; picked up next time)`]
      : []),
    `  malformed lines:    ${s.malformedLines}`,
  ];
  const unpriced = Object.entries(s.unpriced);
  if (unpriced.length > 0) {
    lines.push(`  unpriced models:    ${unpriced.map(([k, n]) => `${k} (${n})`).join(", ")}`);
  }
  await ctx.out(`${lines.join("\n")}\n`);
  for (const m of s.malformedSamples) ctx.note(`malformed: ${m.file}:${m.line}: ${m.reason}`);
  if (s.malformedLines > s.malformedSamples.length)
    ctx.note(`... and ${s.malformedLines - s.malformedSamples.length} more malformed line(s)`);
  if (unpriced.length > 0)
    ctx.note("Unpriced events are stored with cost null; run `tokenledger prices check` for the fix.");
}
