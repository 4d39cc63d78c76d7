import type { BackoffPolicy, Logger } from "tokenledger/storage-kit";

export interface HttpStorageOptions {
  /**
   * The server: `https://ledger.example.com`, `tokenledger+https://...`, or `tokenledger+http://127.0.0.1:8787`
   * (plaintext, an explicit opt-in). A path is a base path (`https://host/ledger` posts to `/ledger/api/v1/usage`).
   * Never put the key in the URL.
   */
  readonly url: string;
  /** An ingest (or admin) key `tl_<prefix>_<secret>`; default `TOKENLEDGER_API_KEY`. Never logged. */
  readonly apiKey?: string;
  /** One request's deadline; default 5000 ms (below the tracker's 10 s storageTimeoutMs, so a slow server spools). */
  readonly requestTimeoutMs?: number;
  /** Keep undeliverable batches in a local spool file; default true. `false`: failures go back to the tracker's queue. */
  readonly spool?: boolean;
  /** Spool directory; default `$XDG_STATE_HOME/tokenledger/spool/<hash of url>` (`~/.local/state/...`). */
  readonly spoolDir?: string;
  /** Bound on the spool directory; past it new batches are refused (kept in memory by the tracker). Default 64 MiB. */
  readonly maxSpoolBytes?: number;
  /** Backoff between replays while the server is down; default the tracker's (500 ms ×2, 30 s cap, ±20 %). */
  readonly retry?: Partial<BackoffPolicy>;
  /** Where delivery problems are reported; default stderr, `false` for none. */
  readonly logger?: Logger | false;
  /** A fetch implementation (default the global one, Node's undici). */
  readonly fetch?: typeof fetch;
  /**
   * @internal Negative control for tests: replay reads spool files in place instead of claiming them by rename,
   * so processes sharing the directory send the same batches twice. Never set it in an application.
   */
  readonly unsafeReplayWithoutClaim?: boolean;
}

export const HTTP_DEFAULTS = {
  requestTimeoutMs: 5000,
  maxSpoolBytes: 64 * 1024 * 1024,
} as const;
