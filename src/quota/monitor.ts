import { snapshotContent, type QuotaHistory } from "../core/quota-history.js";
import { windowStart } from "./reset.js";
import type { ResolvedAccount } from "./accounts.js";
import { quotaProvider } from "./registry.js";
import { QuotaFetchError, type QuotaAccount, type QuotaFetchOptions, type QuotaSnapshot } from "./types.js";

/** What the dashboard and `--json` show for one account. */
export interface AccountView {
  readonly account: QuotaAccount;
  /** The latest figures known; from history (stale) until the first fetch succeeds. */
  readonly snapshots: readonly QuotaSnapshot[];
  /** True when the figures are not from a fetch that just succeeded. */
  readonly stale: boolean;
  readonly lastError: string | null;
  /** The credential is missing or was refused: log in again (the last data stays, stale). */
  readonly needsLogin: boolean;
  /** When the last successful fetch happened (ISO), null before any. */
  readonly fetchedAt: string | null;
  /** Stored changes of each window inside its current period, oldest first: the recent rate for pace. */
  readonly history: Readonly<Record<string, readonly QuotaSnapshot[]>>;
}

export interface MonitorOptions {
  readonly history?: QuotaHistory | undefined;
  /** Per-request deadline: one slow provider never holds the others (CodexBar's 4 s). */
  readonly deadlineMs?: number;
  /** Test hooks: base URL and fetch per provider, the clock. */
  readonly fetchOptions?: (account: QuotaAccount) => QuotaFetchOptions;
  readonly now?: () => number;
}

const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 15 * 60_000;

/** The refresh period with ±10 % jitter, so many monitors never hit a provider in step. */
export function jitteredInterval(baseMs = 60_000, random: () => number = Math.random): number {
  return Math.round(baseMs * (0.9 + 0.2 * random()));
}

interface State {
  account: QuotaAccount;
  secret: string | null;
  snapshots: QuotaSnapshot[];
  stale: boolean;
  lastError: string | null;
  needsLogin: boolean;
  fetchedAt: string | null;
  history: Record<string, QuotaSnapshot[]>;
  /** Epoch ms before which a rate-limited account is not asked again. */
  notBefore: number;
  rateLimits: number;
}

/**
 * Keeps every account's latest figures: first from stored history (first paint needs no network), then from
 * parallel fetches, each with its own deadline. A failure keeps the last good figures, marked stale, with the
 * error shown; a 429 backs off (Retry-After, else doubling from 60 s). Unknown is never turned into 0.
 */
export class QuotaMonitor {
  readonly #states = new Map<string, State>();
  readonly #listeners = new Set<() => void>();
  readonly #opts: MonitorOptions;

  constructor(accounts: readonly ResolvedAccount[], opts: MonitorOptions = {}) {
    this.#opts = opts;
    this.setAccounts(accounts);
  }

  setAccounts(accounts: readonly ResolvedAccount[]): void {
    const next = new Map<string, State>();
    for (const { account, secret } of accounts) {
      const key = `${account.provider}:${account.accountId}`;
      const old = this.#states.get(key);
      next.set(key, {
        account,
        secret,
        snapshots: old?.snapshots ?? [],
        stale: old?.stale ?? true,
        lastError:
          secret === null
            ? "no credential: add it with a (dashboard) or `tokenledger quota add`"
            : (old?.lastError ?? null),
        needsLogin: secret === null || (old?.needsLogin ?? false),
        fetchedAt: old?.fetchedAt ?? null,
        history: old?.history ?? {},
        notBefore: old?.notBefore ?? 0,
        rateLimits: old?.rateLimits ?? 0,
      });
    }
    this.#states.clear();
    for (const [k, v] of next) this.#states.set(k, v);
    this.#emit();
  }

  /** Fill every account from the stored history (marked stale) for a first paint without the network. */
  async loadStored(): Promise<void> {
    if (!this.#opts.history) return;
    const rows = await this.#opts.history.latest();
    for (const state of this.#states.values()) {
      if (state.snapshots.length > 0) continue;
      state.snapshots = rows.filter(
        (r) => r.provider === state.account.provider && r.accountId === state.account.accountId,
      );
      // Pace wants the recent rate: the stored changes since the start of each window's current period.
      for (const s of state.snapshots) {
        const start = s.resetAt ? windowStart(s.window, new Date(s.resetAt)) : null;
        if (start)
          state.history[s.window] = await this.#opts.history.series(
            s.provider,
            s.accountId,
            s.window,
            start.getTime(),
          );
      }
    }
    this.#emit();
  }

  /** Fetch every account that is not backing off, in parallel; resolves when all have answered or timed out. */
  async refresh(): Promise<void> {
    const now = (this.#opts.now ?? Date.now)();
    await Promise.all(
      [...this.#states.values()]
        .filter((s) => s.secret !== null && s.notBefore <= now)
        .map((s) => this.#fetchOne(s)),
    );
    this.#emit();
  }

  views(): AccountView[] {
    return [...this.#states.values()].map((s) => ({
      account: s.account,
      snapshots: s.snapshots,
      stale: s.stale,
      lastError: s.lastError,
      needsLogin: s.needsLogin,
      fetchedAt: s.fetchedAt,
      history: s.history,
    }));
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #fetchOne(state: State): Promise<void> {
    const provider = quotaProvider(state.account.provider);
    const base = this.#opts.fetchOptions?.(state.account) ?? {};
    const signal = AbortSignal.timeout(this.#opts.deadlineMs ?? 4000);
    const opts: QuotaFetchOptions = { ...base, signal };
    try {
      if (state.account.accountId === "env") {
        // An account known only from an environment variable gets its stable identity first.
        const who = await provider.identify(state.secret!, state.account, opts);
        state.account = { ...state.account, ...who };
      }
      const snapshots = await provider.fetch(state.account, state.secret!, opts);
      state.snapshots = snapshots;
      state.stale = false;
      state.lastError = null;
      state.needsLogin = false;
      state.fetchedAt = snapshots[0]?.fetchedAt ?? new Date().toISOString();
      state.rateLimits = 0;
      for (const snap of snapshots) {
        const series = (state.history[snap.window] ??= []);
        const last = series.at(-1);
        if (!last || snapshotContent(last) !== snapshotContent(snap)) series.push(snap);
        if (series.length > 500) series.splice(0, series.length - 500);
      }
      await this.#opts.history?.save(snapshots).catch((err: unknown) => {
        state.lastError = `history not saved: ${(err as Error).message}`;
      });
    } catch (err) {
      state.stale = true;
      state.lastError = err instanceof Error ? err.message : String(err);
      if (err instanceof QuotaFetchError && err.kind === "auth") state.needsLogin = true;
      if (err instanceof QuotaFetchError && err.kind === "rate_limited") {
        state.rateLimits++;
        const wait =
          err.retryAfterMs ?? Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (state.rateLimits - 1));
        state.notBefore = (this.#opts.now ?? Date.now)() + wait;
      }
    }
  }

  #emit(): void {
    for (const l of this.#listeners) l();
  }
}
