import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteStorage, type SqliteStorage } from "tokenledger/sqlite";
import { startAnthropicServer, type AnthropicServer } from "../helpers/anthropic-server.js";
import { createApiKey, revokeApiKey } from "../../src/server/auth/key-service.js";
import { firstIdentity, ledgerIdentities, staticIdentities } from "../../src/proxy/index.js";
import type { AccessStore } from "../../src/server/ports.js";
import { fixture } from "../otlp/support.js";
import { eventsWhen, startHarness, type Harness } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "tl-proxy-keys-"));
let anthropic: AnthropicServer;
let storage: SqliteStorage;
let h: Harness;
let token: string;
let keyId: string;
let clock = Date.now();

beforeAll(async () => {
  anthropic = await startAnthropicServer();
  storage = sqliteStorage({ path: join(dir, "ledger.db") });
  await storage.init();
  const made = await createApiKey(
    storage.access,
    storage.audit,
    { name: "alice laptop", role: "member", userId: "alice", scope: { kind: "teams", ids: ["core"] } },
    "test",
  );
  token = made.token;
  keyId = made.key.id;
  h = await startHarness({
    upstreams: { anthropic: anthropic.url },
    resolveIdentity: firstIdentity(
      staticIdentities({ ci: { userId: "bot" } }),
      ledgerIdentities(storage.access, { now: () => clock }),
    ),
    otlpRequireKey: true,
  });
});
afterAll(async () => {
  await h.close();
  await storage.close();
  await anthropic.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = (baseURL: string, headers: Record<string, string> = {}): Anthropic =>
  new Anthropic({ apiKey: "sk-ant-keys-test-0000", baseURL, maxRetries: 0, defaultHeaders: headers });
const ask = (c: Anthropic) =>
  c.messages.create({
    model: "claude-sonnet-4-6",
    max_tokens: 10,
    messages: [{ role: "user", content: "x" }],
  });

describe("identities from the ledger's API keys", () => {
  it("x-tokenledger-key with a ledger key records its user, team and key id; the key never goes upstream", async () => {
    await ask(client(h.proxy.url, { "x-tokenledger-key": token }));
    const [e] = await eventsWhen(h, 1);
    expect(e).toMatchObject({ userId: "alice", teamId: "core" });
    expect(e!.metadata).toMatchObject({ apiKeyId: keyId });
    expect(JSON.stringify(e)).not.toContain(token);
    expect(anthropic.requests[0]!.headers["x-tokenledger-key"]).toBeUndefined();
  });

  it("the /k/<key>/ path prefix works the same; the static --key map still answers", async () => {
    await ask(client(`${h.proxy.url}/k/${encodeURIComponent(token)}`));
    await ask(client(`${h.proxy.url}/k/ci`));
    const events = await eventsWhen(h, 3);
    expect(events[1]).toMatchObject({ userId: "alice", teamId: "core" });
    expect(events[2]).toMatchObject({ userId: "bot" });
    expect(anthropic.requests[1]!.path).toBe("/v1/messages");
  });

  it("an unknown or revoked key is 401 in Anthropic's error shape, nothing sent upstream", async () => {
    const sent = anthropic.requests.length;
    const unknown = await ask(client(h.proxy.url, { "x-tokenledger-key": "tl_nope_nope" })).catch(
      (e: unknown) => e,
    );
    expect(unknown).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((unknown as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
      type: "error",
      error: { type: "authentication_error" },
    });
    await revokeApiKey(storage.access, storage.audit, keyId, "test");
    clock += 11_000; // past the resolver's 10 s cache
    const revoked = await ask(client(h.proxy.url, { "x-tokenledger-key": token })).catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(anthropic.requests.length).toBe(sent);
  });
});

/** The ledger's key store, counting key lookups (each is a database query). */
function countingAccess(): { access: AccessStore; lookups: () => number } {
  let n = 0;
  const access = new Proxy(storage.access, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (prop === "keyByPrefix")
        return (prefix: string) => {
          n += 1;
          return target.keyByPrefix(prefix);
        };
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { access, lookups: () => n };
}

const newKey = (role: "viewer" | "ingest" | "member" | "manager" | "admin") =>
  createApiKey(
    storage.access,
    storage.audit,
    { name: role, role, userId: role, scope: { kind: "org" } },
    "test",
  );

describe("which keys may send traffic, and how soon a revocation bites", () => {
  it("ingest, member, manager and admin keys are accepted; a viewer (read-only) key is refused", async () => {
    const resolve = ledgerIdentities(storage.access);
    for (const role of ["ingest", "member", "manager", "admin"] as const)
      expect(await resolve((await newKey(role)).token)).toMatchObject({ userId: role });
    expect(await resolve((await newKey("viewer")).token)).toBeUndefined();
    const viewer = await newKey("viewer");
    const res = await fetch(`${h.proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "x-tokenledger-key": viewer.token, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("read-only (viewer)");
  });

  it("a revoked key is refused once the cache window (here 40 ms) has passed, and served from cache before", async () => {
    const made = await newKey("member");
    // A test clock: on a loaded machine the revocation itself can take longer than the window.
    let now = 0;
    const resolve = ledgerIdentities(storage.access, { cacheMs: 40, now: () => now });
    expect(await resolve(made.token)).toBeDefined();
    await revokeApiKey(storage.access, storage.audit, made.key.id, "test");
    // Within the window the cached identity still answers (this is the bounded delay the docs state).
    now = 39;
    expect(await resolve(made.token)).toBeDefined();
    now = 41;
    expect(await resolve(made.token)).toBeUndefined();
  });

  it("under load: one ledger lookup per key per window, however many requests arrive at once", async () => {
    const made = await newKey("ingest");
    const { access, lookups } = countingAccess();
    let clock2 = 0;
    const resolve = ledgerIdentities(access, { now: () => clock2 });
    const first = await Promise.all(Array.from({ length: 200 }, () => resolve(made.token)));
    expect(first.every((a) => a?.userId === "ingest")).toBe(true);
    expect(lookups()).toBe(1);
    clock2 += 9_999;
    await Promise.all(Array.from({ length: 50 }, () => resolve(made.token)));
    expect(lookups()).toBe(1);
    clock2 += 1; // the window (10 s by default) is over: asked again, once
    await Promise.all(Array.from({ length: 50 }, () => resolve(made.token)));
    expect(lookups()).toBe(2);
  });

  it("negative control: with no cache window every request is a lookup", async () => {
    const made = await newKey("ingest");
    const { access, lookups } = countingAccess();
    const resolve = ledgerIdentities(access, { cacheMs: 0 });
    await Promise.all(Array.from({ length: 20 }, () => resolve(made.token)));
    expect(lookups()).toBe(20);
  });

  it("a cache window over 10 s is refused, naming the option and the bound", () => {
    expect(() => ledgerIdentities(storage.access, { cacheMs: 60_000 })).toThrow(/cacheMs 60000 .*0-10000 ms/);
  });
});

describe("OTLP receiver auth", () => {
  const exportLogs = (headers: Record<string, string>) =>
    fetch(`${h.proxy.url}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ resourceLogs: [] }),
    });

  it("an export without a known key is 401 with an OTLP Status (UNAUTHENTICATED); with one it is taken", async () => {
    const none = await exportLogs({});
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 16 });
    expect((await exportLogs({ "x-tokenledger-key": "wrong" })).status).toBe(401);
    expect((await exportLogs({ "x-tokenledger-key": "ci" })).status).toBe(200);
    expect((await exportLogs({ authorization: "Bearer ci" })).status).toBe(200);
  });

  it("an export sent with a ledger key records the key's user, project and key id on its rows, as proxied calls do", async () => {
    const made = await createApiKey(
      storage.access,
      storage.audit,
      { name: "otel", role: "ingest", userId: "bob", scope: { kind: "projects", ids: ["web"] } },
      "test",
    );
    const before = (await h.events()).length;
    const res = await fetch(`${h.proxy.url}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-tokenledger-key": made.token },
      // Other request ids than the fake upstream's (req_011CTest<n>): those calls are already proxied rows here.
      body: fixture("logs.json").toString("utf8").replaceAll("req_011CTest", "req_011COtlpKey"),
    });
    expect(res.status).toBe(200);
    const rows = (await eventsWhen(h, before + 1)).slice(before);
    expect(rows.length).toBeGreaterThan(0);
    for (const e of rows) {
      // The key's identity, under the event's own session and agent.
      expect(e).toMatchObject({ userId: "bob", projectId: "web", app: "claude-code" });
      expect(e.sessionId).not.toBeNull();
      expect(e.metadata).toMatchObject({ apiKeyId: made.key.id, source: "otlp" });
    }
  });

  it("negative control: without otlpRequireKey the same keyless export is taken", async () => {
    const open = await startHarness({ upstreams: { anthropic: anthropic.url } });
    try {
      const res = await fetch(`${open.proxy.url}/v1/logs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resourceLogs: [] }),
      });
      expect(res.status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
