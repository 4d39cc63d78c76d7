import { TokenLedgerConfigError } from "../core/errors.js";
import { claudeEnv, mergeClaudeSettings } from "./claude.js";
import { codexSnippet, mergeCodexConfig } from "./codex.js";
import { claudeSettingsPath, codexConfigPath } from "./paths.js";
import { proxyOrigin } from "./urls.js";
import { readIfExists, writeWithBackup, type WriteOutcome } from "./write-file.js";

export type AgentName = "claude" | "codex";
export const AGENTS: readonly AgentName[] = ["claude", "codex"];

export interface AgentSetupOptions {
  /** Proxy base URL (default http://127.0.0.1:4000); the OTLP receiver listens on the same port. */
  readonly proxyUrl?: string;
  /** Also route the agent's OpenTelemetry events to the receiver on the same port. */
  readonly otlp?: boolean;
  /** False: do not point the agent at the proxy (OTLP only, for agents whose base URL must stay). Default true. */
  readonly proxy?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

export interface AgentSetupPlan {
  readonly agent: AgentName;
  /** The file the settings belong in. */
  readonly file: string;
  /** What to put there: a JSON `env` block for Claude Code, TOML for Codex. */
  readonly snippet: string;
  /** Notes about what changes (shown on stderr). */
  readonly notes: readonly string[];
  /** The whole file after merging, computed from what is on disk now. */
  readonly merged: string;
  readonly previous: string | null;
}

export function parseAgent(raw: string): AgentName {
  const name = raw.trim().toLowerCase();
  if (name === "claude" || name === "claude-code") return "claude";
  if (name === "codex") return "codex";
  throw new TokenLedgerConfigError(`unknown agent "${raw}": use one of ${AGENTS.join(", ")}`);
}

/** Reads the agent's current config and works out the settings and the merged file; writes nothing. */
export async function planAgentSetup(agent: AgentName, o: AgentSetupOptions = {}): Promise<AgentSetupPlan> {
  if (o.proxy === false && !o.otlp) {
    throw new TokenLedgerConfigError("--no-proxy leaves nothing to set up without --otlp");
  }
  const origin = proxyOrigin(o.proxyUrl);
  const targets = { proxyOrigin: o.proxy === false ? null : origin, otlpOrigin: o.otlp ? origin : null };
  const env = o.env ?? process.env;
  return agent === "claude" ? planClaude(env, targets) : planCodex(env, targets);
}

type Targets = { proxyOrigin: string | null; otlpOrigin: string | null };

/** Claude Code: the `env` block of its settings.json (base URL and/or OTel exporter variables). */
async function planClaude(env: NodeJS.ProcessEnv, targets: Targets): Promise<AgentSetupPlan> {
  const file = claudeSettingsPath(env);
  const entries = claudeEnv(targets);
  const previous = await readIfExists(file);
  return {
    agent: "claude",
    file,
    snippet: `${JSON.stringify({ env: entries }, null, 2)}\n`,
    notes: [
      `Claude Code reads these from the "env" block of ${file} (or the same names exported in the shell).`,
      ...(entries.ANTHROPIC_BASE_URL
        ? [
            "Your Claude login or ANTHROPIC_API_KEY keeps working: the proxy forwards Authorization untouched.",
          ]
        : []),
      ...(targets.otlpOrigin
        ? ["Each api_request event becomes a ledger row; with the proxy on too, a call is stored once."]
        : []),
    ],
    merged: mergeClaudeSettings(previous, entries, file),
    previous,
  };
}

/** Codex: a `tokenledger` model provider (and/or OTel exporter) in config.toml. */
async function planCodex(env: NodeJS.ProcessEnv, targets: Targets): Promise<AgentSetupPlan> {
  const file = codexConfigPath(env);
  const previous = await readIfExists(file);
  const { text, previousProvider } = mergeCodexConfig(previous, targets, file);
  return {
    agent: "codex",
    file,
    snippet: codexSnippet(targets),
    notes: [
      `Codex reads this from ${file}; the API key stays in OPENAI_API_KEY.`,
      ...(targets.otlpOrigin
        ? [
            "Codex's events carry no request id, so a call seen by both the proxy and the receiver is stored twice: " +
              "for Codex, use one of them (--no-proxy --otlp for the receiver alone).",
          ]
        : []),
      ...(previousProvider
        ? [
            `model_provider was "${previousProvider}"; it becomes "tokenledger" (that provider's table is kept).`,
          ]
        : []),
    ],
    merged: text,
    previous,
  };
}

/** Writes the plan's merged file (with a backup of the old one); a second run with the same options changes nothing. */
export function applyAgentSetup(plan: AgentSetupPlan, now?: Date): Promise<WriteOutcome> {
  return writeWithBackup(plan.file, plan.previous, plan.merged, now);
}
