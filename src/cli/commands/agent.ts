import type { Command } from "commander";
import type { CliContext } from "../context.js";
import type { Runner } from "../program.js";

interface SetupFlags {
  readonly proxyUrl?: string;
  readonly otlp?: boolean;
  readonly proxy?: boolean;
  readonly write?: boolean;
}

export function registerAgent(program: Command, run: Runner): Command {
  const command = program
    .command("agent")
    .description("Point coding agents (Claude Code, Codex) at the tracking proxy and the OTLP receiver.");
  const setup = command
    .command("setup <agent>")
    .description(
      "Print the minimal settings for claude or codex; with --write, merge them into the agent's config (with a backup).",
    )
    .option("--proxy-url <url>", "the proxy's base URL (default http://127.0.0.1:4000)")
    .option("--otlp", "also send the agent's OpenTelemetry events to the receiver on the same port")
    .option("--no-proxy", "keep the agent's base URL or provider and only send the events (needs --otlp)")
    .option("--write", "merge into ~/.claude/settings.json or ~/.codex/config.toml instead of printing");
  setup.addHelpText(
    "after",
    `
Files: $CLAUDE_CONFIG_DIR/settings.json (default ~/.claude/settings.json), $CODEX_HOME/config.toml
(default ~/.codex/config.toml). --write copies the old file to <file>.tokenledger-backup-<time> first;
running it again with the same options changes nothing.

Examples:
  $ tokenledger agent setup claude
  $ tokenledger agent setup claude --otlp --write
  $ tokenledger agent setup codex --proxy-url http://127.0.0.1:4000 --write`,
  );
  // Nothing here opens the ledger: the runner's context is not used.
  setup.action(run((_ctx: CliContext, agent: string, flags: SetupFlags) => agentSetup(_ctx, agent, flags)));
  return command;
}

async function agentSetup(ctx: CliContext, rawAgent: string, flags: SetupFlags): Promise<void> {
  // Loaded on demand like every command's body: the TOML and settings mergers are not needed elsewhere.
  const { applyAgentSetup, CANNOT_PROXY, parseAgent, planAgentSetup } =
    await import("../../agent-setup/index.js");
  const agent = parseAgent(rawAgent);
  const plan = await planAgentSetup(agent, {
    ...(flags.proxyUrl !== undefined ? { proxyUrl: flags.proxyUrl } : {}),
    otlp: flags.otlp === true,
    proxy: flags.proxy !== false,
  });
  if (flags.write) {
    const outcome = await applyAgentSetup(plan);
    if (!outcome.changed) ctx.note(`${plan.file} already has these settings; nothing written.`);
    else {
      ctx.note(`Wrote ${plan.file}.`);
      if (outcome.backup) ctx.note(`The previous file is saved as ${outcome.backup}.`);
    }
  } else {
    // Printing is the default: an agent's config is the user's file, changed only when asked (--write).
    await ctx.out(plan.snippet);
    ctx.note(`Not written: add the lines above, or run again with --write.`);
  }
  for (const n of plan.notes) ctx.note(n);
  // What the setup cannot cover (say, sessions on Anthropic's servers) is stated, not left to be discovered.
  ctx.note("Not covered:");
  for (const limit of CANNOT_PROXY[agent]) ctx.note(`  - ${limit}`);
}
