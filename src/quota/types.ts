/**
 * Quota monitoring: how much of a provider account's allowance (OpenRouter key limit or credits, Copilot
 * premium requests) is used. One interface, one file per provider behind it (see registry.ts).
 *
 * Amounts are decimal strings, never floats: OpenRouter reports dollars as JSON numbers, which are turned
 * into exact decimal text once, at the edge. `null` always means "unknown", never zero: a quota that cannot
 * be read must not look unused.
 */

/** What an amount counts. `credits` are Copilot AI credits (1 credit = $0.01). */
export type QuotaUnit = "usd" | "requests" | "credits";

/**
 * The window a snapshot measures. `daily|weekly|monthly` follow the provider's own reset;
 * `key_limit` is a cap that never resets; `lifetime` is spend since the key was made (shown apart);
 * `balance` is prepaid credit; `premium|chat|completions` are Copilot's metered quotas.
 */
export type QuotaWindow =
  "daily" | "weekly" | "monthly" | "key_limit" | "lifetime" | "balance" | "premium" | "chat" | "completions";

export interface QuotaSnapshot {
  readonly provider: string;
  /** Stable identity of the account (GitHub numeric id, OpenRouter creator + key label), never a list index. */
  readonly accountId: string;
  readonly window: QuotaWindow;
  /** Amount used in the window; null when the provider did not say (never shown as 0). */
  readonly used: string | null;
  /** The allowance; null when there is none (uncapped) or it is unknown. */
  readonly limit: string | null;
  readonly unit: QuotaUnit;
  /** True when the provider reports the quota as unlimited (nothing to meter). */
  readonly unlimited: boolean;
  /** When the window resets (ISO 8601, UTC), null when it never does or is unknown. */
  readonly resetAt: string | null;
  /** The provider endpoint the figure came from (for the "why" line and for audits). */
  readonly source: string;
  /** A short human note, e.g. "needs a management key" for an unknown balance. */
  readonly note: string | null;
  /** When the figure was fetched (ISO 8601). */
  readonly fetchedAt: string;
}

/** An account the monitor watches. Holds no secret: the credential lives in the credential store. */
export interface QuotaAccount {
  readonly provider: string;
  readonly accountId: string;
  /** What people call it: the GitHub login, the OpenRouter key label. */
  readonly label: string;
  /** GitHub Enterprise host (e.g. `github.example.com`); absent for github.com and OpenRouter. */
  readonly host?: string;
  /** Where the credential comes from: the store, or an environment variable that overrides it. */
  readonly credentialFrom?: "store" | "env";
}

/** Why a fetch failed; `auth` keeps the last data (stale) and asks for a new login. */
export type QuotaErrorKind = "auth" | "rate_limited" | "network" | "timeout" | "http" | "shape";

export class QuotaFetchError extends Error {
  override readonly name = "QuotaFetchError";
  constructor(
    readonly kind: QuotaErrorKind,
    message: string,
    readonly status?: number,
    /** For `rate_limited`: how long the provider asked us to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** What a provider needs to talk to its API; tests pass a local base URL and their own fetch. */
export interface QuotaFetchOptions {
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
  /** Overrides the provider's API base URL (tests, proxies, GitHub Enterprise). */
  readonly baseUrl?: string;
  readonly now?: () => Date;
}

/** A quota source. Each provider is one file that implements this. */
export interface QuotaProvider {
  readonly id: string;
  readonly displayName: string;
  /** Environment variables that hold a credential for this provider; the first set one wins over the store. */
  readonly credentialEnv: readonly string[];
  /** Rejects a credential that cannot be one of this provider's (typo, pasted the wrong thing). */
  validateCredential(secret: string): string | null;
  /** Who the credential belongs to, for the account's stable id and label. */
  identify(
    secret: string,
    account: Pick<QuotaAccount, "host">,
    opts?: QuotaFetchOptions,
  ): Promise<Omit<QuotaAccount, "provider">>;
  /** Current snapshots; throws QuotaFetchError. */
  fetch(account: QuotaAccount, secret: string, opts?: QuotaFetchOptions): Promise<QuotaSnapshot[]>;
}
