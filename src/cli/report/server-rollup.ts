import type { RollupQuery, RollupResult } from "../../core/query.js";
import type { CliContext } from "../context.js";
import { TokenLedgerConfigError, TokenLedgerError } from "../../core/errors.js";
import { redactSecrets } from "../../core/redact.js";
import { parseServerUrl, resolveApiKey } from "../../core/server-url.js";

/** Something that answers rollups: a local ledger, or a tokenledger server through its API. */
export interface RollupSource {
  rollup(query: RollupQuery): Promise<RollupResult>;
}

/**
 * Rollups from a tokenledger server (`GET /api/v1/costs/aggregate`), which answers exactly the SDK's RollupResult, so
 * `report` formats them with the same code as a local ledger. The key comes from TOKENLEDGER_API_KEY only: a key on
 * the command line would land in shell history and `ps`.
 */
export function serverRollupSource(server: string, env: NodeJS.ProcessEnv = process.env): RollupSource {
  const get = serverGet(server, env);
  return {
    rollup: (query: RollupQuery) =>
      get<RollupResult>(`/api/v1/costs/aggregate?${aggregateParams(query).toString()}`),
  };
}

/** GET a JSON answer from a tokenledger server's API; every failure is an error naming --server and the cause. */
export type ServerGet = <T>(pathAndQuery: string) => Promise<T>;

export function serverGet(server: string, env: NodeJS.ProcessEnv = process.env): ServerGet {
  // URL and key are checked once, before any request, so a typo fails fast with the option's name.
  const { baseUrl } = parseServerUrl(server, "--server");
  const apiKey = resolveApiKey(undefined, "TOKENLEDGER_API_KEY (for --server)", env);
  return async <T>(pathAndQuery: string): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${pathAndQuery}`, {
        headers: { authorization: `Bearer ${apiKey}`, accept: "application/json" },
        // A stalled server must not hang the CLI; a minute leaves room for a long rollup on a big ledger.
        signal: AbortSignal.timeout(60_000),
      });
    } catch (err) {
      const e = err as { cause?: { code?: unknown }; message?: unknown };
      // undici reports "fetch failed" with the useful part (ECONNREFUSED, ENOTFOUND) in cause.code.
      const why = typeof e.cause?.code === "string" ? e.cause.code : String(e.message ?? err);
      throw new TokenLedgerError(`--server ${baseUrl}: cannot reach the server (${redactSecrets(why)})`);
    }
    const text = await res.text();
    if (!res.ok) throw new TokenLedgerError(`--server ${baseUrl}: ${describeError(res.status, text)}`);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new TokenLedgerError(
        `--server ${baseUrl}: the answer is not JSON; is this a tokenledger server?`,
      );
    }
  };
}

/** A RollupQuery as the aggregate endpoint's query string (api-contract.md). */
export function aggregateParams(q: RollupQuery): URLSearchParams {
  const p = new URLSearchParams();
  // The endpoint defaults to the last 30 days; a report without --since means all time.
  p.set("from", (q.since ?? new Date(0)).toISOString());
  if (q.until) p.set("to", q.until.toISOString());
  if (q.groupBy && q.groupBy.length > 0) p.set("group_by", q.groupBy.join(","));
  if (q.bucket) {
    p.set("granularity", q.bucket);
    p.set("tz", q.timeZone ?? "UTC"); // always sent: the server buckets in UTC unless told
  }
  for (const [dim, value] of Object.entries(q.where ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      // The query string has no spelling for "missing", so refuse rather than match the text "null".
      if (v === null)
        throw new TokenLedgerConfigError(
          `--where ${dim}: matching a missing value is not available with --server`,
        );
      p.append(dim, v as string);
    }
  }
  if (q.orderBy) p.set("order_by", q.orderBy);
  if (q.limit !== undefined) p.set("limit", String(q.limit));
  return p;
}

function describeError(status: number, text: string): string {
  let detail = "";
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown; field?: unknown } }).error;
    detail = [e?.code, e?.field, e?.message].filter((v) => typeof v === "string" && v).join(": ");
  } catch {
    /* not JSON */
  }
  const hint =
    status === 401
      ? " (check TOKENLEDGER_API_KEY)"
      : status === 403
        ? " (this key's role or scope cannot read these costs)"
        : status === 404
          ? " (no tokenledger API at this URL)"
          : "";
  return `HTTP ${status}${detail ? ` ${redactSecrets(detail)}` : ""}${hint}`;
}

export const SERVER_OPTION_HELP =
  "read from a tokenledger server (https://host or tokenledger+http://host) instead of a local ledger; key in TOKENLEDGER_API_KEY";

/** `--server`, else the ledger itself when it is configured as a server URL (`--db` / TOKENLEDGER_DATABASE_URL). */
export function serverFor(ctx: CliContext, flag: string | undefined): string | undefined {
  return flag ?? (ctx.target.kind === "http" ? ctx.target.url : undefined);
}

/** Where a read command's rollups come from: the server's API, or the local ledger (which must exist). */
export async function rollupSource(ctx: CliContext, flag: string | undefined): Promise<RollupSource> {
  const server = serverFor(ctx, flag);
  return server ? serverRollupSource(server) : ctx.existingStorage();
}
