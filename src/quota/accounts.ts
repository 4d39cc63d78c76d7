import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { credentialKey, type SecretStore } from "./credentials.js";
import { quotaProvider, QUOTA_PROVIDERS } from "./registry.js";
import type { QuotaAccount } from "./types.js";

/** The list of watched accounts (no secrets): `$XDG_CONFIG_HOME/tokenledger/quota-accounts.json`. */
export function accountsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const config = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(config, "tokenledger", "quota-accounts.json");
}

export async function readAccounts(path: string): Promise<QuotaAccount[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not valid JSON; fix or remove the file`);
  }
  const list = (parsed as { accounts?: unknown }).accounts;
  if (!Array.isArray(list)) throw new Error(`${path}: expected {"accounts": [...]}`);
  return list.map((a, i) => {
    const o = a as Record<string, unknown>;
    if (typeof o.provider !== "string" || typeof o.accountId !== "string")
      throw new Error(`${path}: accounts[${i}] needs "provider" and "accountId" strings`);
    quotaProvider(o.provider);
    return {
      provider: o.provider,
      accountId: o.accountId,
      label: typeof o.label === "string" ? o.label : o.accountId,
      ...(typeof o.host === "string" ? { host: o.host } : {}),
    };
  });
}

export async function writeAccounts(path: string, accounts: readonly QuotaAccount[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const plain = accounts.map(({ provider, accountId, label, host }) => ({
    provider,
    accountId,
    label,
    ...(host ? { host } : {}),
  }));
  await writeFile(tmp, JSON.stringify({ accounts: plain }, null, 2) + "\n");
  await rename(tmp, path);
}

export interface ResolvedAccount {
  readonly account: QuotaAccount;
  /** Null when neither the environment nor the store has one: the account needs a login. */
  readonly secret: string | null;
}

/**
 * Accounts with their credentials. An environment variable wins over the store for every account of its
 * provider; with no saved account of that provider, it makes one (`env` account, identified on first fetch).
 */
export async function resolveAccounts(
  saved: readonly QuotaAccount[],
  store: SecretStore | null,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedAccount[]> {
  const out: ResolvedAccount[] = [];
  for (const provider of QUOTA_PROVIDERS) {
    const fromEnv = provider.credentialEnv.map((k) => env[k]?.trim()).find((v) => v);
    const mine = saved.filter((a) => a.provider === provider.id);
    if (fromEnv && mine.length === 0) {
      out.push({
        account: {
          provider: provider.id,
          accountId: "env",
          label: `$${provider.credentialEnv[0]}`,
          credentialFrom: "env",
        },
        secret: fromEnv,
      });
      continue;
    }
    for (const account of mine) {
      if (fromEnv) out.push({ account: { ...account, credentialFrom: "env" }, secret: fromEnv });
      else
        out.push({
          account: { ...account, credentialFrom: "store" },
          secret: store
            ? await store.get(credentialKey(account.provider, account.accountId)).catch(() => null)
            : null,
        });
    }
  }
  return out;
}
