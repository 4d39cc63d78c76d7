import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkBind } from "../../src/server/bind-policy.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { sqliteBackend, startServer } from "./harness.js";
import { startServeCli } from "./serve-cli.js";

describe("graceful shutdown", () => {
  it("close() lets a request in flight finish, refuses new ones, then closes the ledger", async () => {
    const backend = sqliteBackend();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const s = await startServer(backend, {
      plugins: [
        (app, { storage }) => {
          app.get("/slow", async () => {
            entered();
            await gate;
            return { events: (await storage.rollup({})).totals.events };
          });
        },
      ],
    });
    try {
      const url = await s.app.listen({ port: 0, host: "127.0.0.1" });
      const slow = fetch(`${url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
      await inside;
      const closed = s.app.close();
      const during = await fetch(`${url}/healthz`).then(
        (r) => r.status,
        () => "refused",
      );
      expect([503, "refused"]).toContain(during);
      release();
      expect(await slow).toEqual({ status: 200, body: { events: 0 } });
      await closed;
      await expect(s.storage.rollup({})).rejects.toThrow(/closed/);
    } finally {
      release();
      await backend.cleanup();
    }
  });
});

describe("readiness", () => {
  it("/readyz is 503 when the ledger cannot answer, while /healthz still says the process is up", async () => {
    const backend = sqliteBackend();
    const s = await startServer(backend);
    try {
      expect((await s.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
      await s.storage.close();
      const r = await s.app.inject({ method: "GET", url: "/readyz" });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toEqual({ status: "unavailable" });
      expect((await s.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await s.close();
      await backend.cleanup();
    }
  });
});

describe("bind policy", () => {
  it("binds loopback by default; another host needs TLS or --behind-proxy", () => {
    expect(checkBind({})).toEqual({ host: "127.0.0.1", tls: false });
    expect(() => checkBind({ host: "0.0.0.0" })).toThrow(
      /--host 0.0.0.0.*--tls-cert\/--tls-key.*--behind-proxy/,
    );
    expect(checkBind({ host: "0.0.0.0", behindProxy: true })).toEqual({ host: "0.0.0.0", tls: false });
    expect(checkBind({ host: "10.0.0.5", tlsCert: "c.pem", tlsKey: "k.pem" })).toEqual({
      host: "10.0.0.5",
      tls: true,
    });
    expect(() => checkBind({ tlsCert: "c.pem" })).toThrow(/--tls-cert and --tls-key go together/);
  });
});

describe("keys and serve from the command line", () => {
  it("creates a key (secret shown once, only its hash stored), serves with it, and revoking it locks it out", async () => {
    const box = sandbox();
    const created = await runCli(["keys", "create", "--name", "ci", "--role", "admin"], { env: box.env });
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.split("\n")[0]!;
    expect(token).toMatch(/^tl_[a-z0-9]{8}_[A-Za-z0-9]{32}$/);
    const secret = token.split("_")[2]!;
    const list = await runCli(["keys", "list", "--json"], { env: box.env });
    expect(list.stdout).not.toContain(secret);
    expect(JSON.parse(list.stdout)[0]).toMatchObject({
      name: "ci",
      role: "admin",
      scope: { kind: "org" },
      revokedAt: null,
    });
    expect(readFileSync(box.ledger).includes(secret)).toBe(false);

    const member = await runCli(["keys", "create", "--name", "x", "--role", "member"], { env: box.env });
    expect(member.code).toBe(1);
    expect(member.stderr).toMatch(/--role member: give --user/);

    const serve = await startServeCli([], box.env);
    try {
      const { url } = serve;
      const auth = { authorization: `Bearer ${token}` };
      expect((await fetch(`${url}/api/v1/budgets`, { headers: auth })).status).toBe(200);
      const revoked = await runCli(["keys", "revoke", token.split("_")[1]!], { env: box.env });
      expect(revoked.code, revoked.stderr).toBe(0);
      expect((await fetch(`${url}/api/v1/budgets`, { headers: auth })).status).toBe(401);
      expect(await serve.stop()).toBe(0);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill("SIGKILL");
    }
    const verify = await runCli(["audit", "verify", "--json"], { env: box.env });
    expect(JSON.parse(verify.stdout)).toEqual({ ok: true, rows: 2 }); // key.create, key.revoke
  }, 120_000);
});
