import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/**
 * Where quota credentials live. Order on Linux: Secret Service, then the kernel keyring (lost on reboot),
 * then a 0600 JSON file after an explicit notice. macOS and Windows use their native store through the
 * same library. Environment variables always win over any store (see accounts.ts).
 */
export interface SecretStore {
  /** For the notice: `secret-service`, `keyutils`, `file:/path`, ... */
  readonly name: string;
  /** False for stores that forget on reboot. */
  readonly persistent: boolean;
  get(key: string): Promise<string | null>;
  set(key: string, secret: string): Promise<void>;
  delete(key: string): Promise<void>;
}

const SERVICE = "tokenledger";

/** An OS keyring store through `@napi-rs/keyring` (loaded only when the quota command runs). */
export async function keyringStore(store: "secret-service" | "keyutils" | "native"): Promise<SecretStore> {
  const { AsyncEntry } = await import("@napi-rs/keyring");
  const entry = (key: string) =>
    new AsyncEntry(SERVICE, key, store === "native" ? undefined : { linux: { store } });
  return {
    name: store,
    persistent: store !== "keyutils",
    async get(key) {
      return (await entry(key).getPassword()) ?? null;
    },
    async set(key, secret) {
      await entry(key).setPassword(secret);
    },
    async delete(key) {
      await entry(key).deleteCredential();
    },
  };
}

export function credentialsFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOKENLEDGER_CREDENTIALS_FILE) return env.TOKENLEDGER_CREDENTIALS_FILE;
  const config = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(config, "tokenledger", "credentials.json");
}

/** A JSON file readable by its owner only (mode 0600, written atomically through a temp file). */
export function fileStore(path: string): SecretStore {
  const read = async (): Promise<Record<string, string>> => {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
        return parsed as Record<string, string>;
    } catch {
      /* reported below */
    }
    throw new Error(`${path}: not a credentials file (expected a JSON object); fix or remove it`);
  };
  const write = async (data: Record<string, string>) => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(data, null, 2) + "\n", { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  };
  return {
    name: `file:${path}`,
    persistent: true,
    async get(key) {
      return (await read())[key] ?? null;
    },
    async set(key, secret) {
      await write({ ...(await read()), [key]: secret });
    },
    async delete(key) {
      const data = await read();
      delete data[key];
      await write(data);
    },
  };
}

export interface StoreChoice {
  readonly store: SecretStore;
  /** Said once to the user: a store that forgets on reboot, or the move to a plain file. */
  readonly notices: readonly string[];
}

/** A store that works: it can write, read back and delete a probe entry. */
async function works(store: SecretStore): Promise<boolean> {
  const key = `probe:${process.pid}`;
  try {
    await store.set(key, "probe");
    const ok = (await store.get(key)) === "probe";
    await store.delete(key).catch(() => undefined);
    return ok;
  } catch {
    return false;
  }
}

/**
 * The first store that works, in order. `TOKENLEDGER_CREDENTIALS_FILE` forces the file.
 * `candidates` is injectable so the order is tested with fake stores as well as the real library.
 */
export async function chooseStore(
  env: NodeJS.ProcessEnv = process.env,
  candidates?: readonly (() => Promise<SecretStore>)[],
): Promise<StoreChoice> {
  const file = fileStore(credentialsFilePath(env));
  if (env.TOKENLEDGER_CREDENTIALS_FILE) return { store: file, notices: [] };
  const order =
    candidates ??
    (process.platform === "linux"
      ? [() => keyringStore("secret-service"), () => keyringStore("keyutils")]
      : [() => keyringStore("native")]);
  const notices: string[] = [];
  for (const make of order) {
    let store: SecretStore;
    try {
      store = await make();
    } catch {
      continue;
    }
    if (!(await works(store))) continue;
    if (!store.persistent)
      notices.push(
        `credentials are kept in the kernel keyring (${store.name}), which does not survive a reboot`,
      );
    return { store, notices };
  }
  notices.push(
    `no OS keyring is available; credentials are kept in ${file.name.slice(5)} (mode 0600, readable only by you)`,
  );
  return { store: file, notices };
}

/** The key a credential is stored under. */
export function credentialKey(provider: string, accountId: string): string {
  return `${provider}:${accountId}`;
}
