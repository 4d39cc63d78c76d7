import type { Command } from "commander";
import type { Attribution } from "../../core/attribution.js";
import { TokenLedgerConfigError } from "../../core/errors.js";
import type { CliContext } from "../context.js";
import { channelsFromConfig } from "../../budgets/alerts/config.js";
import { startAlertRetries } from "../../budgets/alerts/retry-timer.js";
import { syncConfigBudgets } from "../config-budgets.js";
import type { Runner } from "../program.js";
import { OTEL_ENDPOINT_OPTION, startCommandOtel } from "./otel-cli.js";

interface ProxyFlags {
  port: string;
  host: string;
  upstreamAnthropic?: string;
  upstreamOpenai?: string;
  upstream: string[];
  injectIncludeUsage?: boolean;
  key: string[];
  budgets: boolean;
  failover: string[];
  failoverTarget: string[];
  otlpRequireKey?: boolean;
  otelEndpoint?: string;
}

/** `--key id=user:alice,team:core` → key id and the identity it stands for. */
export function parseKeyFlag(value: string): [string, Attribution] {
  const eq = value.indexOf("=");
  const id = eq > 0 ? value.slice(0, eq).trim() : "";
  if (!id) throw new TokenLedgerConfigError(`--key "${value}": expected <key-id>=user:<id>,team:<id>,...`);
  const fields: Record<string, keyof Attribution> = {
    user: "userId",
    team: "teamId",
    project: "projectId",
    feature: "feature",
    "cost-center": "costCenter",
  };
  const out: Record<string, string> = {};
  for (const part of value.slice(eq + 1).split(",")) {
    const [k, v] = part.split(":").map((s) => s.trim());
    const field = k ? fields[k] : undefined;
    if (!field || !v)
      throw new TokenLedgerConfigError(
        `--key "${id}": "${part}" is not <field>:<value> (fields: ${Object.keys(fields).join(", ")})`,
      );
    out[field] = v;
  }
  return [id, out];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--upstream embeddings=http://127.0.0.1:8080` → [name, url] (the URL is checked by the proxy). */
export function parseUpstreamFlag(value: string, flag = "--upstream"): [string, string] {
  const eq = value.indexOf("=");
  const what = flag === "--upstream" ? "<route>=<url>, e.g. embeddings" : "<client>=<url>, e.g. primary";
  if (eq <= 0 || eq === value.length - 1)
    throw new TokenLedgerConfigError(`${flag} "${value}": expected ${what}=http://127.0.0.1:8080`);
  return [value.slice(0, eq).trim(), value.slice(eq + 1).trim()];
}

type OptionLine = readonly [flags: string, description: string, ...rest: unknown[]];

/** One line per option, so another option merges as one added line. */
const OPTIONS: readonly OptionLine[] = [
  ["--port <n>", "port to listen on", "4000"],
  ["--host <addr>", "address to bind (the proxy forwards credentials: keep it local)", "127.0.0.1"],
  ["--upstream-anthropic <url>", "Anthropic API upstream", "https://api.anthropic.com"],
  [
    "--upstream-openai <url>",
    "OpenAI-compatible upstream (OpenAI, Azure, a local server)",
    "https://api.openai.com",
  ],
  [
    "--upstream <route=url>",
    "upstream for one route: messages, count_tokens, chat, responses or embeddings (repeatable)",
    collect,
    [],
  ],
  [
    "--inject-include-usage",
    "add stream_options.include_usage to streamed Chat Completions (changes the stream)",
  ],
  [
    "--key <id=fields>",
    "tokenledger key id → identity, e.g. ci=user:bot,team:infra (repeatable); the ledger's API keys (tl_...) are accepted too",
    collect,
    [],
  ],
  ["--no-budgets", "do not enforce the ledger's budgets before calls"],
  [
    "--failover <group>",
    "route this config failover group's wire format through its targets (repeatable)",
    collect,
    [],
  ],
  [
    "--failover-target <client=url>",
    "upstream URL for a failover target's client name (repeatable)",
    collect,
    [],
  ],
  ["--otlp-require-key", "OTLP exports need a tokenledger key (on by itself when the ledger has API keys)"],
  OTEL_ENDPOINT_OPTION,
];

const EXAMPLES = `
Examples:
  $ tokenledger proxy
  $ ANTHROPIC_BASE_URL=http://127.0.0.1:4000 claude
  $ OPENAI_BASE_URL=http://127.0.0.1:4000/v1 codex
  $ tokenledger proxy --key ci=user:bot,team:infra   # then /k/ci/v1/... or x-tokenledger-key: ci
  $ tokenledger proxy --failover openai --failover-target primary=https://api.openai.com --failover-target eu=https://eu.api.openai.com`;

/**
 * `tokenledger proxy`: a local Anthropic- and OpenAI-compatible endpoint that forwards every call unchanged
 * (the client's own credentials included) and records its tokens and cost in the ledger.
 */
export function registerProxy(program: Command, run: Runner): Command {
  const cmd = program
    .command("proxy")
    .description("Tracking proxy for coding agents and apps in any language: point their base URL here.");
  for (const [flags, description, ...rest] of OPTIONS)
    (cmd.option as (...a: unknown[]) => Command)(flags, description, ...rest);
  return cmd.addHelpText("after", EXAMPLES).action(run(runProxy));
}

async function runProxy(ctx: CliContext, flags: ProxyFlags): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TokenLedgerConfigError(`--port "${flags.port}" is not a port number (0-65535)`);
  const [{ TokenTracker }, { startProxyServer }, { BudgetGuard }, { liveRowsFirst }] = await Promise.all([
    import("../../core/tracker.js"),
    import("../../proxy/index.js"),
    import("../../budgets/guard.js"),
    import("../../core/live-rows-first.js"),
  ]);
  const storage = await ctx.storage();
  const pricer = await ctx.pricer();
  // A call an import already stored is replaced by the live row, not counted twice (src/core/live-rows-first.ts).
  const tracker = new TokenTracker({ storage: liveRowsFirst(storage), pricer, autoFlushOnExit: false });
  const otel = await startCommandOtel(ctx, flags.otelEndpoint);
  otel?.instrument(tracker);
  const budgets = (storage as { budgets?: ConstructorParameters<typeof BudgetGuard>[0]["store"] }).budgets;
  if (flags.budgets && budgets) await syncConfigBudgets(ctx, budgets);
  // Alerts go to the config file's channels (`alerts:`); forecast alerts read the same ledger.
  const channels = flags.budgets && budgets ? channelsFromConfig(ctx.config.alerts) : [];
  const gate =
    flags.budgets && budgets
      ? new BudgetGuard({ store: budgets, pricer, channels, ledger: storage })
      : undefined;
  const stopRetries = gate && channels.length > 0 ? startAlertRetries(gate.outbox) : undefined;
  const keys = await identityOptions(ctx, flags);
  const server = await startProxyServer(
    {
      sink: tracker,
      upstreams: {
        anthropic: flags.upstreamAnthropic,
        openai: flags.upstreamOpenai,
        routes: Object.fromEntries(flags.upstream.map((v) => parseUpstreamFlag(v))),
      },
      injectIncludeUsage: flags.injectIncludeUsage === true,
      ...keys,
      ...(await failoverOption(ctx, flags)),
      ...(gate ? { gate } : {}),
    },
    { port, host: flags.host },
  );
  announce(ctx, server.url, flags.host, keys.otlpRequireKey);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  stopRetries?.();
  await gate?.idle();
  await tracker.shutdown({ timeoutMs: 5000 });
  await otel?.stop();
}

/**
 * Who a tokenledger key stands for: the static `--key` map, then the ledger's own API keys (SQL ledgers).
 * A ledger that has keys also makes the OTLP receiver require one.
 */
async function identityOptions(ctx: CliContext, flags: ProxyFlags) {
  const { staticIdentities, ledgerIdentities, firstIdentity } = await import("../../proxy/index.js");
  const { asServerStorage } = await import("../../server/ports.js");
  const fixed = staticIdentities(Object.fromEntries(flags.key.map(parseKeyFlag)));
  const server = asServerStorage(await ctx.storage());
  const hasKeys = server ? (await server.access.listKeys()).some((k) => k.revokedAt === null) : false;
  return {
    resolveIdentity: server && hasKeys ? firstIdentity(fixed, ledgerIdentities(server.access)) : fixed,
    otlpRequireKey: flags.otlpRequireKey === true || hasKeys,
  };
}

async function failoverOption(ctx: CliContext, flags: ProxyFlags) {
  if (flags.failover.length === 0) return {};
  const { proxyFailoverGroups } = await import("../../proxy/index.js");
  const urls = Object.fromEntries(flags.failoverTarget.map((v) => parseUpstreamFlag(v, "--failover-target")));
  return { failover: proxyFailoverGroups(ctx.config.failover, flags.failover, urls) };
}

function announce(ctx: CliContext, url: string, host: string, otlpKeys: boolean): void {
  ctx.note(`tokenledger proxy listening on ${url}`);
  ctx.note(`  Claude Code: ANTHROPIC_BASE_URL=${url}`);
  ctx.note(`  OpenAI / Codex: OPENAI_BASE_URL=${url}/v1`);
  if (otlpKeys) ctx.note(`  OTLP receiver: exports need an x-tokenledger-key header`);
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "::1")
    ctx.note(`warning: bound to ${host}: anyone who can reach it can use the credentials sent through it`);
}
