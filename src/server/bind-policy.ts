import { TokenLedgerConfigError } from "../core/errors.js";

export interface BindOptions {
  readonly host?: string | undefined;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  readonly behindProxy?: boolean | undefined;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Where the server may listen. Loopback by default; any other address carries API keys over the network, so
 * it needs TLS here (`--tls-cert` and `--tls-key`) or a TLS-terminating reverse proxy in front (`--behind-proxy`,
 * which also trusts its X-Forwarded-* headers and marks the session cookie Secure).
 */
export function checkBind(o: BindOptions): { host: string; tls: boolean } {
  const host = o.host ?? "127.0.0.1";
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined))
    throw new TokenLedgerConfigError("--tls-cert and --tls-key go together: give both files or neither");
  const tls = o.tlsCert !== undefined;
  if (!LOOPBACK.has(host) && !tls && !o.behindProxy)
    throw new TokenLedgerConfigError(
      `--host ${host}: listening beyond this machine sends API keys over the network; add --tls-cert/--tls-key, ` +
        "or --behind-proxy when a TLS-terminating reverse proxy forwards to this port",
    );
  return { host, tls };
}
