import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveAccounts } from "../../src/quota/accounts.js";
import { chooseStore, fileStore, keyringStore, type SecretStore } from "../../src/quota/credentials.js";

function fakeStore(name: string, opts: { works: boolean; persistent?: boolean }): SecretStore {
  const data = new Map<string, string>();
  return {
    name,
    persistent: opts.persistent ?? true,
    async get(k) {
      if (!opts.works) throw new Error("AccessDenied");
      return data.get(k) ?? null;
    },
    async set(k, v) {
      if (!opts.works) throw new Error("AccessDenied");
      data.set(k, v);
    },
    async delete(k) {
      data.delete(k);
    },
  };
}

const tmpEnv = () => {
  const dir = mkdtempSync(join(tmpdir(), "tl-cred-"));
  return { XDG_CONFIG_HOME: dir } as NodeJS.ProcessEnv;
};

describe("credential store fallback", () => {
  it("takes the first store that works: Secret Service, then the kernel keyring with a reboot warning", async () => {
    const env = tmpEnv();
    const first = await chooseStore(env, [
      async () => fakeStore("secret-service", { works: true }),
      async () => fakeStore("keyutils", { works: true, persistent: false }),
    ]);
    expect(first.store.name).toBe("secret-service");
    expect(first.notices).toEqual([]);
    const second = await chooseStore(env, [
      async () => fakeStore("secret-service", { works: false }),
      async () => fakeStore("keyutils", { works: true, persistent: false }),
    ]);
    expect(second.store.name).toBe("keyutils");
    expect(second.notices.join()).toMatch(/does not survive a reboot/);
  });

  it("falls back to a 0600 file with an explicit notice when no keyring works", async () => {
    const env = tmpEnv();
    const c = await chooseStore(env, [
      async () => fakeStore("secret-service", { works: false }),
      async () => {
        throw new Error("no module");
      },
    ]);
    expect(c.store.name).toBe(`file:${join(env.XDG_CONFIG_HOME!, "tokenledger", "credentials.json")}`);
    expect(c.notices.join()).toMatch(/no OS keyring is available.*0600/);
    await c.store.set("openrouter:a", "sk-or-v1-secret");
    const path = c.store.name.slice(5);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await c.store.get("openrouter:a")).toBe("sk-or-v1-secret");
    await c.store.delete("openrouter:a");
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({});
  });

  it("with the real @napi-rs/keyring: a store that works on this machine is used, otherwise the file (never a crash)", async () => {
    const env = tmpEnv();
    const c = await chooseStore(env, [() => keyringStore("secret-service"), () => keyringStore("keyutils")]);
    // On a desktop this is a keyring; in a headless container both refuse (AccessDenied / no D-Bus).
    expect(["secret-service", "keyutils"].includes(c.store.name) || c.store.name.startsWith("file:")).toBe(
      true,
    );
    await c.store.set("test:probe", "v");
    expect(await c.store.get("test:probe")).toBe("v");
    await c.store.delete("test:probe");
  });

  it("TOKENLEDGER_CREDENTIALS_FILE forces the file; a corrupt file is an error naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tl-cred-"));
    const path = join(dir, "creds.json");
    const c = await chooseStore({ TOKENLEDGER_CREDENTIALS_FILE: path }, [
      async () => fakeStore("secret-service", { works: true }),
    ]);
    expect(c.store.name).toBe(`file:${path}`);
    writeFileSync(path, "not json");
    await expect(fileStore(path).get("x")).rejects.toThrow(path);
  });

  it("environment variables win over the store, and alone make an account", async () => {
    const store = fakeStore("s", { works: true });
    await store.set("openrouter:u:k", "sk-or-v1-stored");
    const saved = [{ provider: "openrouter", accountId: "u:k", label: "k" }];
    const fromStore = await resolveAccounts(saved, store, {});
    expect(fromStore[0]).toMatchObject({ secret: "sk-or-v1-stored", account: { credentialFrom: "store" } });
    const fromEnv = await resolveAccounts(saved, store, { OPENROUTER_API_KEY: "sk-or-v1-env" });
    expect(fromEnv[0]).toMatchObject({ secret: "sk-or-v1-env", account: { credentialFrom: "env" } });
    const envOnly = await resolveAccounts([], store, { TOKENLEDGER_COPILOT_TOKEN: "ghu_x" });
    expect(envOnly).toEqual([
      { account: expect.objectContaining({ provider: "copilot", accountId: "env" }), secret: "ghu_x" },
    ]);
  });
});
