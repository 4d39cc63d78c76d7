import { accountsFilePath, readAccounts, resolveAccounts, writeAccounts } from "../../quota/accounts.js";
import { chooseStore, credentialKey, type SecretStore } from "../../quota/credentials.js";
import { pollDeviceFlow, startDeviceFlow } from "../../quota/device-flow.js";
import { countdown, formatAmount, percentUsed, WINDOW_LABELS } from "../../quota/format.js";
import { QuotaMonitor, type AccountView } from "../../quota/monitor.js";
import { pace } from "../../quota/pace.js";
import { quotaProvider } from "../../quota/registry.js";
import type { QuotaAccount, QuotaFetchOptions } from "../../quota/types.js";
import type { CliContext } from "../context.js";

/**
 * Base URLs can be pointed elsewhere (a corporate proxy, the test suite's local servers); GitHub Enterprise
 * hosts come from the account itself.
 */
function fetchOptions(env: NodeJS.ProcessEnv) {
  return (account: Pick<QuotaAccount, "provider">): QuotaFetchOptions => {
    const base =
      account.provider === "openrouter" ? env.TOKENLEDGER_OPENROUTER_URL : env.TOKENLEDGER_GITHUB_API_URL;
    return base ? { baseUrl: base } : {};
  };
}

async function openStore(ctx: CliContext): Promise<SecretStore> {
  const { store, notices } = await chooseStore();
  for (const n of notices) ctx.note(`tokenledger: ${n}`);
  return store;
}

async function monitorFor(ctx: CliContext, store: SecretStore | null): Promise<QuotaMonitor> {
  const saved = await readAccounts(accountsFilePath());
  const resolved = await resolveAccounts(saved, store);
  const storage = await ctx.storage();
  return new QuotaMonitor(resolved, {
    history: storage.quotaHistory,
    fetchOptions: fetchOptions(process.env),
  });
}

function viewJson(v: AccountView, now: Date) {
  return {
    provider: v.account.provider,
    accountId: v.account.accountId,
    label: v.account.label,
    credentialFrom: v.account.credentialFrom ?? null,
    stale: v.stale,
    needsLogin: v.needsLogin,
    lastError: v.lastError,
    fetchedAt: v.fetchedAt,
    quotas: v.snapshots.map((s) => ({
      window: s.window,
      used: s.used,
      limit: s.limit,
      unit: s.unit,
      unlimited: s.unlimited,
      percentUsed: percentUsed(s),
      resetAt: s.resetAt,
      pace: pace(s, now, v.history[s.window] ?? []).state,
      note: s.note,
      source: s.source,
    })),
  };
}

function viewText(v: AccountView, now: Date): string {
  const head = `${v.account.provider}/${v.account.label}${v.stale ? " (stale)" : ""}${v.needsLogin ? " — log in again" : ""}`;
  const lines = v.snapshots.map((s) => {
    const label = (WINDOW_LABELS[s.window] ?? s.window).padEnd(17);
    if (s.unlimited) return `  ${label}unlimited`;
    const pct = percentUsed(s);
    const amount =
      s.limit === null
        ? formatAmount(s.used, s.unit)
        : `${formatAmount(s.used, s.unit)} / ${formatAmount(s.limit, s.unit)}`;
    const reset = s.resetAt ? `, resets in ${countdown(new Date(s.resetAt), now)}` : "";
    return `  ${label}${amount}${pct === null ? "" : ` (${pct}%)`}${reset}${s.note ? `  [${s.note}]` : ""}`;
  });
  if (v.lastError) lines.push(`  error: ${v.lastError}`);
  return [head, ...lines].join("\n");
}

export async function showQuota(ctx: CliContext, opts: { json?: boolean; once?: boolean }): Promise<void> {
  const store = await openStore(ctx);
  const monitor = await monitorFor(ctx, store);
  if (monitor.views().length === 0) {
    ctx.note("tokenledger: no quota accounts yet. Add one: tokenledger quota add openrouter | copilot");
    if (opts.json) await ctx.out(`${JSON.stringify({ accounts: [] }, null, 2)}\n`);
    return;
  }
  // The live dashboard needs a terminal both ways (keys in, redraws out); anything else gets one snapshot.
  const live = !opts.json && !opts.once && process.stdout.isTTY === true && process.stdin.isTTY === true;
  if (live) return dashboard(monitor, store);
  await monitor.loadStored();
  await monitor.refresh();
  const now = new Date();
  const views = monitor.views();
  if (opts.json)
    await ctx.out(`${JSON.stringify({ accounts: views.map((v) => viewJson(v, now)) }, null, 2)}\n`);
  else await ctx.out(`${views.map((v) => viewText(v, now)).join("\n\n")}\n`);
}

async function dashboard(monitor: QuotaMonitor, store: SecretStore): Promise<void> {
  // Ink and React load only here: every other quota path (and every other command) starts without them.
  const [{ render }, { createElement }, { Dashboard }] = await Promise.all([
    import("ink"),
    import("react"),
    import("../quota-tui/dashboard.js"),
  ]);
  // First paint comes from stored history; the first fetch follows at once.
  await monitor.loadStored();
  const reload = async () =>
    monitor.setAccounts(await resolveAccounts(await readAccounts(accountsFilePath()), store));
  const app = render(
    createElement(Dashboard, {
      monitor,
      actions: {
        addKey: async (provider, secret) => {
          const account = await saveAccount(provider, secret, store, {});
          await reload();
          // Not awaited: the add flow closes at once, and the new account's figures arrive on the next render.
          void monitor.refresh();
          return account.label;
        },
        startDeviceLogin: async () => {
          const { code, done } = await deviceLogin(store, {});
          return {
            userCode: code.userCode,
            verificationUri: code.verificationUri,
            done: done.then(async (a) => {
              await reload();
              void monitor.refresh();
              return a.label;
            }),
          };
        },
        remove: async (view) => {
          await forget(view.account, store);
          await reload();
        },
      },
    }),
  );
  await app.waitUntilExit();
}

/** Validate, identify (one request) and store a credential; the account list gets the non-secret part. */
async function saveAccount(
  providerId: string,
  secret: string,
  store: SecretStore,
  where: { host?: string },
): Promise<QuotaAccount> {
  const provider = quotaProvider(providerId);
  const problem = provider.validateCredential(secret);
  if (problem) throw new Error(`${provider.displayName}: ${problem}`);
  const who = await provider.identify(
    secret.trim(),
    where,
    fetchOptions(process.env)({ provider: providerId }),
  );
  const account: QuotaAccount = { provider: providerId, ...who, ...(where.host ? { host: where.host } : {}) };
  // The secret goes to the keyring (or the private credentials file) only; the accounts file never holds it.
  await store.set(credentialKey(account.provider, account.accountId), secret.trim());
  const path = accountsFilePath();
  const others = (await readAccounts(path)).filter(
    (a) => !(a.provider === account.provider && a.accountId === account.accountId),
  );
  await writeAccounts(path, [...others, account]);
  return account;
}

async function deviceLogin(store: SecretStore, where: { host?: string }) {
  const loginBase =
    process.env.TOKENLEDGER_GITHUB_LOGIN_URL ?? (where.host ? `https://${where.host}` : "https://github.com");
  const code = await startDeviceFlow({ loginBase });
  const done = pollDeviceFlow(code, { loginBase }).then((token) =>
    saveAccount("copilot", token, store, where),
  );
  return { code, done };
}

async function forget(account: QuotaAccount, store: SecretStore): Promise<void> {
  // A credential already gone from the keyring must not stop the account leaving the list.
  await store.delete(credentialKey(account.provider, account.accountId)).catch(() => undefined);
  const path = accountsFilePath();
  await writeAccounts(
    path,
    (await readAccounts(path)).filter(
      (a) => !(a.provider === account.provider && a.accountId === account.accountId),
    ),
  );
}

async function readSecret(prompt: string, fromStdin: boolean): Promise<string> {
  // Piped input (`--stdin`, or no terminal) is read whole, so a key can come from a secret manager
  // without ever appearing in argv or shell history.
  if (fromStdin || process.stdin.isTTY !== true) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8").trim();
  }
  const { default: password } = await import("@inquirer/password");
  return password({ message: prompt, mask: "•" });
}

export async function addAccount(
  ctx: CliContext,
  providerId: string,
  opts: { host?: string; stdin?: boolean },
): Promise<void> {
  const provider = quotaProvider(providerId);
  if (opts.host && providerId !== "copilot") throw new Error("quota add: --host applies to copilot only");
  const store = await openStore(ctx);
  let account: QuotaAccount;
  if (providerId === "copilot" && !opts.stdin) {
    const { code, done } = await deviceLogin(store, opts);
    ctx.note(`Open ${code.verificationUri} and enter the code:  ${code.userCode}\nWaiting for approval…`);
    account = await done;
  } else {
    const secret = await readSecret(
      `${provider.displayName} ${providerId === "copilot" ? "token" : "key"}:`,
      opts.stdin === true,
    );
    account = await saveAccount(providerId, secret, store, opts);
  }
  ctx.note(
    `Added ${account.provider}/${account.label}; its credential is in ${store.name.startsWith("file:") ? store.name.slice(5) : `the ${store.name} keyring`}.`,
  );
}

export async function listAccounts(ctx: CliContext): Promise<void> {
  const resolved = await resolveAccounts(await readAccounts(accountsFilePath()), null);
  if (resolved.length === 0) return ctx.note("tokenledger: no quota accounts yet.");
  for (const { account } of resolved)
    await ctx.out(
      `${account.provider}/${account.label}\t${account.provider}:${account.accountId}\tcredential from ${account.credentialFrom ?? "store"}\n`,
    );
}

export async function removeAccount(ctx: CliContext, which: string): Promise<void> {
  const saved = await readAccounts(accountsFilePath());
  const match = saved.find(
    (a) => `${a.provider}/${a.label}` === which || `${a.provider}:${a.accountId}` === which,
  );
  if (!match) throw new Error(`quota rm: no account "${which}" (see tokenledger quota list)`);
  await forget(match, await openStore(ctx));
  ctx.note(`Removed ${match.provider}/${match.label}; its history stays in the ledger.`);
}
