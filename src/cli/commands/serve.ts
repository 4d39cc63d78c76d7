import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { TokenLedgerConfigError } from "../../core/errors.js";
import { describeTarget } from "../../core/database-url.js";
import { createServer } from "../../server/app.js";
import { checkBind } from "../../server/bind-policy.js";
import type { CliContext } from "../context.js";
import { channelsFromConfig } from "../../budgets/alerts/config.js";
import { syncConfigBudgets } from "../config-budgets.js";
import type { Runner } from "../program.js";
import { serverLedger } from "../server-ledger.js";
import { OTEL_ENDPOINT_OPTION, startCommandOtel } from "./otel-cli.js";

interface ServeOptions {
  port: string;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  behindProxy?: boolean;
  rateLimit?: string;
  rateLimitStore?: string;
  log?: boolean;
  proxy?: boolean;
  upstreamAnthropic?: string;
  upstreamOpenai?: string;
  otelEndpoint?: string;
}

function positiveInt(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new TokenLedgerConfigError(
      `${flag}: ${JSON.stringify(value)} is not a whole number from 0 to ${max}`,
    );
  return n;
}

function readPem(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TokenLedgerConfigError(`${flag}: cannot read ${file} (${(err as Error).message})`);
  }
}

/** Resolves when SIGINT or SIGTERM arrives. */
const signalled = (): Promise<string> =>
  new Promise((resolve) => {
    const on = (sig: string) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(sig);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });

async function serve(ctx: CliContext, o: ServeOptions): Promise<void> {
  const { registerDashboard } = await import("../../server/dashboard/index.js");
  const port = positiveInt("--port", o.port, 65535);
  const { host, tls } = checkBind(o);
  const rateMax = o.rateLimit === undefined ? undefined : positiveInt("--rate-limit", o.rateLimit, 1_000_000);
  const store = o.rateLimitStore ?? "ledger";
  if (store !== "ledger" && store !== "memory")
    throw new TokenLedgerConfigError(`--rate-limit-store: "${store}" is not ledger or memory`);
  const otel = await startCommandOtel(ctx, o.otelEndpoint);
  // Ingest and the --proxy tracker both store through insertNew / insertBatch of this one ledger.
  const ledger = await serverLedger(ctx);
  const storage = otel ? otel.watchStorage(ledger) : ledger;
  await syncConfigBudgets(ctx, storage.budgets);
  const pricer = await ctx.pricer();
  const proxy = o.proxy
    ? await (
        await import("../serve-proxy.js")
      ).serveProxyPlugin({
        storage,
        pricer,
        upstreams: { anthropic: o.upstreamAnthropic, openai: o.upstreamOpenai },
        channels: channelsFromConfig(ctx.config.alerts),
      })
    : undefined;
  const app = await createServer({
    storage,
    pricer,
    ...(tls
      ? { https: { cert: readPem("--tls-cert", o.tlsCert!), key: readPem("--tls-key", o.tlsKey!) } }
      : {}),
    behindProxy: o.behindProxy === true,
    rateLimit: { max: rateMax ?? 1200, timeWindowMs: 60_000, store },
    logger: o.log === true,
    // The web dashboard at `/` (static bundle from dist/dashboard; 503 with a hint when it was never built), and
    // with --proxy the tracking proxy's /v1 routes on the same port.
    plugins: [(app) => registerDashboard(app), ...(proxy ? [proxy] : [])],
  });
  const stop = signalled();
  await app.listen({ port, host });
  const address = app.server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  await ctx.out(
    `tokenledger serve: http${tls ? "s" : ""}://${shownHost}:${actualPort} (ledger: ${describeTarget(ctx.target)})\n`,
  );
  const sig = await stop;
  process.stderr.write(`tokenledger serve: ${sig}: finishing requests in flight, then closing the ledger\n`);
  await app.close(); // drains requests, then closes the ledger (onClose)
  await otel?.stop();
}

export function registerServe(program: Command, run: Runner): Command {
  return program
    .command("serve")
    .description("HTTP API (and dashboard) over the ledger: ingest from many hosts, reports, budgets, audit.")
    .option("--port <n>", "port (0 picks a free one)", "8787")
    .option("--host <address>", "address to bind (default 127.0.0.1); others need TLS or --behind-proxy")
    .option("--tls-cert <file>", "PEM certificate: serve HTTPS")
    .option("--tls-key <file>", "PEM private key for --tls-cert")
    .option(
      "--behind-proxy",
      "a TLS-terminating reverse proxy is in front: trust X-Forwarded-*, Secure cookies",
    )
    .option(
      "--rate-limit <n>",
      "requests per minute per API key (default 1200; counted in the ledger, shared by every serve process on it)",
    )
    .option(
      "--rate-limit-store <store>",
      "ledger (default: counted in the ledger's database, one limit across every serve process on it) or memory (per process)",
    )
    .option("--log", "log requests to stderr (keys and cookies are redacted)")
    .option("--proxy", "also serve the tracking proxy (/v1/messages, /v1/chat/completions, ...) on this port")
    .option("--upstream-anthropic <url>", "with --proxy: Anthropic API upstream", "https://api.anthropic.com")
    .option("--upstream-openai <url>", "with --proxy: OpenAI-compatible upstream", "https://api.openai.com")
    .option(...OTEL_ENDPOINT_OPTION)
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger serve --db ./ledger.db\n  $ tokenledger serve --db postgres://app@db/usage --host 0.0.0.0 --behind-proxy\n  $ tokenledger keys create --name ci --role ingest`,
    )
    .action(run(async (ctx, o: ServeOptions) => serve(ctx, o)));
}
