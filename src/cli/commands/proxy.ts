import type { Command } from "commander";
import type { Attribution } from "../../core/attribution.js";
import { TokenLedgerConfigError } from "../../core/errors.js";
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

/** `--upstream embeddings=http://127.0.0.1:8080` → [operation, url] (the URL is checked by the proxy). */
export function parseUpstreamFlag(value: string): [string, string] {
  const eq = value.indexOf("=");
  if (eq <= 0 || eq === value.length - 1)
    throw new TokenLedgerConfigError(
      `--upstream "${value}": expected <route>=<url>, e.g. embeddings=http://127.0.0.1:8080`,
    );
  return [value.slice(0, eq).trim(), value.slice(eq + 1).trim()];
}

/**
 * `tokenledger proxy`: a local Anthropic- and OpenAI-compatible endpoint that forwards every call unchanged
 * (the client's own credentials included) and records its tokens and cost in the ledger.
 */
export function registerProxy(program: Command, run: Runner): Command {
  return program
    .command("proxy")
    .description("Tracking proxy for coding agents and apps in any language: point their base URL here.")
    .option("--port <n>", "port to listen on", "4000")
    .option("--host <addr>", "address to bind (the proxy forwards credentials: keep it local)", "127.0.0.1")
    .option("--upstream-anthropic <url>", "Anthropic API upstream", "https://api.anthropic.com")
    .option(
      "--upstream-openai <url>",
      "OpenAI-compatible upstream (OpenAI, Azure, a local server)",
      "https://api.openai.com",
    )
    .option(
      "--upstream <route=url>",
      "upstream for one route: messages, count_tokens, chat, responses or embeddings (repeatable)",
      collect,
      [],
    )
    .option(
      "--inject-include-usage",
      "add stream_options.include_usage to streamed Chat Completions (changes the stream)",
    )
    .option(
      "--key <id=fields>",
      "tokenledger key id → identity, e.g. ci=user:bot,team:infra (repeatable)",
      collect,
      [],
    )
    .option("--no-budgets", "do not enforce the ledger's budgets before calls")
    .option(...OTEL_ENDPOINT_OPTION)
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger proxy\n  $ ANTHROPIC_BASE_URL=http://127.0.0.1:4000 claude\n  $ OPENAI_BASE_URL=http://127.0.0.1:4000/v1 codex\n  $ tokenledger proxy --key ci=user:bot,team:infra   # then /k/ci/v1/... or x-tokenledger-key: ci`,
    )
    .action(
      run(async (ctx, flags: ProxyFlags) => {
        const port = Number(flags.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new TokenLedgerConfigError(`--port "${flags.port}" is not a port number (0-65535)`);
        const identities = Object.fromEntries(flags.key.map(parseKeyFlag));
        const [{ TokenTracker }, { startProxyServer, staticIdentities }, { BudgetGuard }] = await Promise.all(
          [import("../../core/tracker.js"), import("../../proxy/index.js"), import("../../budgets/guard.js")],
        );
        const storage = await ctx.storage();
        const pricer = await ctx.pricer();
        const tracker = new TokenTracker({ storage, pricer, autoFlushOnExit: false });
        const otel = await startCommandOtel(ctx, flags.otelEndpoint);
        otel?.instrument(tracker);
        const budgets = (storage as { budgets?: ConstructorParameters<typeof BudgetGuard>[0]["store"] })
          .budgets;
        if (flags.budgets && budgets) await syncConfigBudgets(ctx, budgets);
        const gate = flags.budgets && budgets ? new BudgetGuard({ store: budgets, pricer }) : undefined;
        const server = await startProxyServer(
          {
            sink: tracker,
            upstreams: {
              anthropic: flags.upstreamAnthropic,
              openai: flags.upstreamOpenai,
              routes: Object.fromEntries(flags.upstream.map(parseUpstreamFlag)),
            },
            injectIncludeUsage: flags.injectIncludeUsage === true,
            resolveIdentity: staticIdentities(identities),
            ...(gate ? { gate } : {}),
          },
          { port, host: flags.host },
        );
        ctx.note(`tokenledger proxy listening on ${server.url}`);
        ctx.note(`  Claude Code: ANTHROPIC_BASE_URL=${server.url}`);
        ctx.note(`  OpenAI / Codex: OPENAI_BASE_URL=${server.url}/v1`);
        if (flags.host !== "127.0.0.1" && flags.host !== "localhost" && flags.host !== "::1")
          ctx.note(
            `warning: bound to ${flags.host}: anyone who can reach it can use the credentials sent through it`,
          );
        await new Promise<void>((resolve) => {
          process.once("SIGINT", resolve);
          process.once("SIGTERM", resolve);
        });
        await server.close();
        await gate?.idle();
        await tracker.shutdown({ timeoutMs: 5000 });
        await otel?.stop();
      }),
    );
}
