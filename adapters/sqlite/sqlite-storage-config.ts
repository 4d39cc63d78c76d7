import type { Logger } from "tokenledger/storage-kit";

/** The subset of a better-sqlite3 statement tokenledger uses (typed structurally: no hard dependency). */
export interface SqliteStatementLike {
  readonly reader: boolean;
  run(...params: readonly unknown[]): { changes: number | bigint };
  all(...params: readonly unknown[]): unknown[];
  get(...params: readonly unknown[]): unknown;
  iterate(...params: readonly unknown[]): IterableIterator<unknown>;
}

/** The subset of a better-sqlite3 `Database` tokenledger uses. */
export interface SqliteDatabaseLike {
  readonly name: string;
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(source: string): SqliteStatementLike;
  exec(source: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
}

export interface SqliteStorageOptions {
  /** Database file; parent directories are created. Ignored when `database` is given. */
  readonly path?: string;
  /** An open better-sqlite3 Database the host owns: used as is (its pragmas untouched) and never closed. */
  readonly database?: SqliteDatabaseLike;
  /** Run pending migrations in `init()`; default true. */
  readonly migrate?: boolean;
  /** `normal` (default): synchronous=NORMAL, durable across app crashes. `full`: also across power loss. */
  readonly durability?: "normal" | "full";
  /** How long a write waits for another process's lock before failing as transient; default 50, at most 50 on the main thread. */
  readonly busyTimeoutMs?: number;
  /** Checkpoint and truncate the WAL once the -wal file passes this size; default 64 MB. */
  readonly walCheckpointBytes?: number;
  /** How often the WAL size is checked; default 5000 ms. */
  readonly walCheckIntervalMs?: number;
  /** Where warnings go (old SQLite); default stderr. */
  readonly logger?: Logger;
}

export const SQLITE_DEFAULTS = {
  busyTimeoutMs: 50,
  walCheckpointBytes: 64 * 1024 * 1024,
  walCheckIntervalMs: 5000,
} as const;

/** First SQLite without the WAL-reset corruption bug (3.7.0–3.51.2). */
export const SQLITE_VERSION_FLOOR = "3.51.3";
