import { decimalText, minus } from "../amount.js";
import { getJson, objectAt } from "../http.js";
import { nextUtcBoundary } from "../reset.js";
import { QuotaFetchError, type QuotaFetchOptions, type QuotaProvider, type QuotaSnapshot } from "../types.js";

const DEFAULT_BASE = "https://openrouter.ai";
const KEY_PATH = "/api/v1/key";
const CREDITS_PATH = "/api/v1/credits";
/** Set beside the key: a management key, the only kind `/credits` answers for. */
export const OPENROUTER_MANAGEMENT_ENV = "OPENROUTER_MANAGEMENT_API_KEY";

type ResetWindow = "daily" | "weekly" | "monthly";
const RESET_WINDOWS: Record<string, ResetWindow> = { daily: "daily", weekly: "weekly", monthly: "monthly" };

interface KeyInfo {
  label: string;
  limit: string | null;
  limitRemaining: string | null;
  limitReset: string | null;
  usage: string | null;
  windowUsage: Record<string, string | null>;
  isManagementKey: boolean;
  creatorUserId: string | null;
}

function readKey(body: unknown): KeyInfo {
  const data = objectAt(objectAt(body, "/api/v1/key").data, "/api/v1/key: data");
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  return {
    label: str(data.label) ?? "key",
    limit: decimalText(data.limit, "data.limit"),
    limitRemaining: decimalText(data.limit_remaining, "data.limit_remaining"),
    limitReset: str(data.limit_reset),
    usage: decimalText(data.usage, "data.usage"),
    windowUsage: {
      daily: decimalText(data.usage_daily, "data.usage_daily"),
      weekly: decimalText(data.usage_weekly, "data.usage_weekly"),
      monthly: decimalText(data.usage_monthly, "data.usage_monthly"),
    },
    isManagementKey: data.is_management_key === true || data.is_provisioning_key === true,
    creatorUserId:
      str(data.creator_user_id) ??
      (typeof data.creator_user_id === "number" ? String(data.creator_user_id) : null),
  };
}

/**
 * Spend inside the key's limit window. `usage` is lifetime, so a key with a daily limit must use
 * `usage_daily` (or limit − remaining); a cap with no reset counts its lifetime usage.
 */
function windowSpend(k: KeyInfo): { window: ResetWindow | "key_limit"; used: string | null } {
  const window = k.limitReset ? RESET_WINDOWS[k.limitReset] : undefined;
  if (window) return { window, used: k.windowUsage[window] ?? minus(k.limit, k.limitRemaining) };
  return { window: "key_limit", used: minus(k.limit, k.limitRemaining) ?? k.usage };
}

/** OpenRouter: the key's spending cap (not a balance), lifetime spend, and prepaid credits with a management key. */
export const openrouterProvider: QuotaProvider = {
  id: "openrouter",
  displayName: "OpenRouter",
  credentialEnv: ["OPENROUTER_API_KEY"],

  validateCredential(secret) {
    const s = secret.trim();
    if (s === "") return "the key is empty";
    if (/\s/.test(s)) return "the key contains whitespace";
    if (!s.startsWith("sk-or-")) return 'an OpenRouter key starts with "sk-or-"';
    return null;
  },

  async identify(secret, _account, opts) {
    const { body } = await getJson(`${opts?.baseUrl ?? DEFAULT_BASE}${KEY_PATH}`, auth(secret), opts);
    const k = readKey(body);
    return { accountId: `${k.creatorUserId ?? "key"}:${k.label}`, label: k.label };
  },

  async fetch(account, secret, opts = {}) {
    const base = opts.baseUrl ?? DEFAULT_BASE;
    const now = (opts.now ?? (() => new Date()))();
    const fetchedAt = now.toISOString();
    const { body } = await getJson(`${base}${KEY_PATH}`, auth(secret), opts);
    const k = readKey(body);
    const snap = (
      s: Omit<QuotaSnapshot, "provider" | "accountId" | "fetchedAt" | "unlimited" | "unit">,
    ): QuotaSnapshot => ({
      provider: "openrouter",
      accountId: account.accountId,
      unit: "usd",
      unlimited: false,
      fetchedAt,
      ...s,
    });
    const out: QuotaSnapshot[] = [];
    if (k.limit !== null) {
      const { window, used } = windowSpend(k);
      const resetAt = window === "key_limit" ? null : nextUtcBoundary(window, now).toISOString();
      out.push(
        snap({
          window,
          used,
          limit: k.limit,
          resetAt,
          source: KEY_PATH,
          note: "spending cap, not a balance",
        }),
      );
    }
    out.push(
      snap({ window: "lifetime", used: k.usage, limit: null, resetAt: null, source: KEY_PATH, note: null }),
    );
    out.push(
      snap({
        window: "balance",
        ...(await balance(base, secret, k.isManagementKey, opts)),
        resetAt: null,
        source: CREDITS_PATH,
      }),
    );
    return out;
  },
};

/**
 * Prepaid credits. `/credits` is documented as management-key only; a normal key can get a 403 or, worse,
 * `200 {total_credits: 0, total_usage: 0}` from a funded account. Both mean unknown, never $0.
 */
async function balance(
  base: string,
  secret: string,
  isManagementKey: boolean,
  opts: QuotaFetchOptions,
): Promise<{ used: string | null; limit: string | null; note: string | null }> {
  const managementKey = isManagementKey ? secret : process.env[OPENROUTER_MANAGEMENT_ENV]?.trim() || null;
  const unknown = (note: string) => ({ used: null, limit: null, note });
  if (!managementKey) return unknown(`balance needs a management key (${OPENROUTER_MANAGEMENT_ENV})`);
  try {
    const { body } = await getJson(`${base}${CREDITS_PATH}`, auth(managementKey), opts);
    const data = objectAt(objectAt(body, CREDITS_PATH).data, `${CREDITS_PATH}: data`);
    const total = decimalText(data.total_credits, "data.total_credits");
    const used = decimalText(data.total_usage, "data.total_usage");
    // Only a key /key itself vouched for as a management key is trusted to report a true zero.
    if (!isManagementKey && total === "0" && used === "0")
      return unknown("balance unknown (credits answered zero for a key not known to be a management key)");
    return { used, limit: total, note: null };
  } catch (err) {
    if (err instanceof QuotaFetchError && err.kind === "auth")
      return unknown("balance unknown (credits refused the key)");
    throw err;
  }
}

function auth(secret: string): Record<string, string> {
  return { authorization: `Bearer ${secret.trim()}` };
}
