import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StorageError } from "tokenledger";
import { httpStorage } from "tokenledger/http";
import { ledgerEvent } from "../cli/seed.js";

// The server's answers are scripted through the `fetch` option: these are the classification rules alone.
const KEY = "tl_abcd1234_0123456789abcdefghijABCDEFGHIJ0123";
const root = mkdtempSync(join(tmpdir(), "tl-http-status-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const batch = [ledgerEvent({ at: "2026-11-01T00:00:00Z" })];

function scripted(status: number, headers: Record<string, string> = {}) {
  const calls: { auth: string | null; url: string }[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), auth: new Headers(init?.headers).get("authorization") });
    return new Response(JSON.stringify({ error: { code: "x", message: "scripted" } }), { status, headers });
  }) as typeof fetch;
  return { calls, fetchFn };
}

describe("tokenledger/http: HTTP status -> StorageError kind (spool off: the tracker's retry rules apply)", () => {
  it.each([
    [400, "row"],
    [413, "row"],
    [401, "backend"],
    [403, "backend"],
    [404, "backend"],
    [408, "transient"],
    [429, "transient"],
    [500, "transient"],
    [503, "transient"],
  ] as const)("HTTP %i is %s", async (status, kind) => {
    const { calls, fetchFn } = scripted(status);
    const s = httpStorage({
      url: "https://ledger.example.com/base",
      apiKey: KEY,
      spool: false,
      fetch: fetchFn,
    });
    const err = await s.insertBatch(batch).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).kind).toBe(kind);
    expect((err as Error).message).toContain(`HTTP ${status}`);
    expect((err as Error).message).not.toContain(KEY);
    expect(calls).toEqual([{ url: "https://ledger.example.com/base/api/v1/usage", auth: `Bearer ${KEY}` }]);
  });

  it("a 429's Retry-After holds sending: batches meanwhile go straight to the spool, without a request", async () => {
    const { calls, fetchFn } = scripted(429, { "retry-after": "30" });
    const s = httpStorage({
      url: "https://ledger.example.com",
      apiKey: KEY,
      spoolDir: join(root, "retry-after"),
      fetch: fetchFn,
      logger: false,
    });
    await s.init();
    await s.insertBatch(batch); // 429: spooled
    await s.insertBatch(batch); // within Retry-After: spooled without asking
    await s.insertBatch(batch);
    expect(calls).toHaveLength(1);
    expect(s.stats().spooledEvents).toBe(3);
    await s.close();
  });
});
