import { Dec as Decimal } from "../../pricing/decimal.js";
import { decimalText } from "../amount.js";
import { getJson, objectAt } from "../http.js";
import { QuotaFetchError, type QuotaProvider, type QuotaSnapshot, type QuotaWindow } from "../types.js";

/**
 * Headers of the VS Code Copilot Chat extension: `copilot_internal/user` answers only clients that look like
 * an editor. The versions are the ones current clients send; GitHub has not rejected older ones.
 */
const EDITOR_HEADERS = {
  "editor-version": "vscode/1.107.0",
  "editor-plugin-version": "copilot-chat/0.35.0",
  "user-agent": "GitHubCopilotChat/0.35.0",
  "x-github-api-version": "2025-04-01",
};

/** The API host for github.com or a GitHub Enterprise host (`api.<host>`). */
export function githubApiBase(host?: string): string {
  return host ? `https://api.${host}` : "https://api.github.com";
}

const QUOTA_WINDOWS: Record<string, QuotaWindow> = {
  premium_interactions: "premium",
  chat: "chat",
  completions: "completions",
};

/** `quota_reset_date_utc` (RFC 3339), else `quota_reset_date` (a date) at 00:00 UTC, else the legacy field. */
function resetAt(body: Record<string, unknown>): string | null {
  for (const key of ["quota_reset_date_utc", "quota_reset_date", "limited_user_reset_date"]) {
    const v = body[key];
    if (typeof v !== "string" || v === "") continue;
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  return null;
}

/**
 * One snapshot per quota in `quota_snapshots` (every plan since GitHub's 2026-06-01 AI-credits migration).
 * A quota is metered when `has_quota` is true and it is not `unlimited`; unlimited ones are reported as such
 * (never as 0 used). With token-based billing the premium pool counts AI credits, not requests.
 * Used = entitlement × (100 − percent_remaining) / 100: `percent_remaining` reflects model multipliers,
 * while `remaining` is a floored integer.
 */
function fromSnapshots(
  snapshots: Record<string, unknown>,
  base: Omit<QuotaSnapshot, "window" | "used" | "limit" | "unit" | "unlimited" | "note">,
  tokenBased: boolean,
): QuotaSnapshot[] {
  const out: QuotaSnapshot[] = [];
  for (const [key, window] of Object.entries(QUOTA_WINDOWS)) {
    if (!(key in snapshots)) continue;
    const q = objectAt(snapshots[key], `quota_snapshots.${key}`);
    const unit = key === "premium_interactions" && tokenBased ? "credits" : "requests";
    if (q.unlimited === true) {
      out.push({ ...base, window, used: null, limit: null, unit, unlimited: true, note: "unlimited" });
      continue;
    }
    if (q.has_quota === false) continue;
    const entitlement = decimalText(q.entitlement, `quota_snapshots.${key}.entitlement`);
    const percentRemaining = decimalText(q.percent_remaining, `quota_snapshots.${key}.percent_remaining`);
    const remaining = decimalText(q.remaining, `quota_snapshots.${key}.remaining`);
    let used: string | null = null;
    if (entitlement !== null && percentRemaining !== null)
      used = new Decimal(entitlement)
        .times(new Decimal(100).minus(percentRemaining))
        .div(100)
        .toDecimalPlaces(2)
        .toString();
    else if (entitlement !== null && remaining !== null)
      used = new Decimal(entitlement).minus(remaining).toString();
    const note =
      unit === "credits" && entitlement !== null
        ? `1 credit = $0.01 (allowance $${new Decimal(entitlement).div(100).toFixed(2)})`
        : null;
    out.push({ ...base, window, used, limit: entitlement, unit, unlimited: false, note });
  }
  return out;
}

/** Plans from before the migration: `monthly_quotas` minus `limited_user_quotas` (what is left). */
function fromLegacy(
  body: Record<string, unknown>,
  base: Omit<QuotaSnapshot, "window" | "used" | "limit" | "unit" | "unlimited" | "note">,
): QuotaSnapshot[] {
  const monthly = objectAt(body.monthly_quotas, "monthly_quotas");
  const left =
    body.limited_user_quotas === undefined ? {} : objectAt(body.limited_user_quotas, "limited_user_quotas");
  const out: QuotaSnapshot[] = [];
  for (const key of ["chat", "completions"] as const) {
    const limit = decimalText(monthly[key], `monthly_quotas.${key}`);
    if (limit === null) continue;
    const remaining = decimalText(left[key], `limited_user_quotas.${key}`);
    const used = remaining === null ? null : new Decimal(limit).minus(remaining).toString();
    out.push({ ...base, window: key, used, limit, unit: "requests", unlimited: false, note: "legacy plan" });
  }
  return out;
}

/** GitHub Copilot: premium requests (or AI credits) and, on free plans, chat and completions. */
export const copilotProvider: QuotaProvider = {
  id: "copilot",
  displayName: "GitHub Copilot",
  credentialEnv: ["TOKENLEDGER_COPILOT_TOKEN"],

  validateCredential(secret) {
    const s = secret.trim();
    if (s === "") return "the token is empty";
    if (/\s/.test(s)) return "the token contains whitespace";
    // ghu_ (GitHub App user token from the device flow), gho_ (OAuth), github_pat_ (fine-grained), ghp_ (classic).
    if (!/^(ghu_|gho_|ghp_|github_pat_)[A-Za-z0-9_]+$/.test(s))
      return "a GitHub token starts with ghu_, gho_, ghp_ or github_pat_";
    return null;
  },

  async identify(secret, account, opts) {
    const base = opts?.baseUrl ?? githubApiBase(account.host);
    const { body } = await getJson(`${base}/user`, { authorization: `token ${secret.trim()}` }, opts);
    const user = objectAt(body, "/user");
    if (typeof user.id !== "number" && typeof user.id !== "string")
      throw new QuotaFetchError("shape", "/user: no numeric id");
    const login = typeof user.login === "string" ? user.login : String(user.id);
    return { accountId: String(user.id), label: login, ...(account.host ? { host: account.host } : {}) };
  },

  async fetch(account, secret, opts = {}) {
    const base = opts.baseUrl ?? githubApiBase(account.host);
    const { body: raw } = await getJson(
      `${base}/copilot_internal/user`,
      { authorization: `token ${secret.trim()}`, ...EDITOR_HEADERS },
      opts,
    );
    const body = objectAt(raw, "/copilot_internal/user");
    const snapBase = {
      provider: "copilot",
      accountId: account.accountId,
      resetAt: resetAt(body),
      source: "/copilot_internal/user",
      fetchedAt: (opts.now ?? (() => new Date()))().toISOString(),
    };
    if (body.quota_snapshots !== undefined && body.quota_snapshots !== null)
      return fromSnapshots(
        objectAt(body.quota_snapshots, "quota_snapshots"),
        snapBase,
        body.token_based_billing === true,
      );
    if (body.monthly_quotas !== undefined) return fromLegacy(body, snapBase);
    throw new QuotaFetchError(
      "shape",
      "/copilot_internal/user: no quota_snapshots or monthly_quotas in the answer",
    );
  },
};
