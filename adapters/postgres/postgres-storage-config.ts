import type { Kysely } from "kysely";
import type { Logger } from "tokenledger/storage-kit";

/** The subset of a pg `Pool` tokenledger uses (typed structurally: pg stays an optional peer). */
export interface PgPoolLike {
  connect(): Promise<unknown>;
  end(): Promise<void>;
  on(event: "error", listener: (err: Error) => void): unknown;
  on(event: "connect", listener: (client: PgClientLike) => void): unknown;
  removeListener(event: "error", listener: (err: Error) => void): unknown;
  removeListener(event: "connect", listener: (client: PgClientLike) => void): unknown;
}

/** A server message pg hands to `notice` listeners (RAISE WARNING / NOTICE, `IF NOT EXISTS` skips). */
export interface PgNoticeLike {
  readonly message?: string;
  readonly severity?: string;
  readonly code?: string;
}

/** The part of a pg `Client` we touch: its `error` and `notice` events. */
export interface PgClientLike {
  on(event: "error", listener: (err: Error) => void): unknown;
  on(event: "notice", listener: (notice: PgNoticeLike) => void): unknown;
}

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:5432/db`; tokenledger opens (and closes) a small pool of its own. */
  readonly connectionString?: string;
  /** A pg Pool the host owns: used, never ended. */
  readonly pool?: PgPoolLike;
  /** A Kysely instance the host owns (PostgreSQL dialect): used, never destroyed. */
  readonly kysely?: Kysely<unknown>;
  /** Schema for the ledger tables; default `public`. */
  readonly schema?: string;
  /** Run pending migrations in `init()`; default true. */
  readonly migrate?: boolean;
  /** Server-side statement timeout for every write; default 10000 ms. */
  readonly statementTimeoutMs?: number;
  /** `application_name` of tokenledger's own connections; default `tokenledger`. */
  readonly applicationName?: string;
  readonly logger?: Logger;
}

export const POSTGRES_DEFAULTS = {
  schema: "public",
  statementTimeoutMs: 10_000,
  max: 4,
  connectionTimeoutMillis: 5000,
  idleTimeoutMillis: 30_000,
  applicationName: "tokenledger",
} as const;
