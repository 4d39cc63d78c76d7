import Database from "better-sqlite3";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresStorage } from "tokenledger/postgres";
import { describePg, pgUrl } from "../helpers/pg.js";
import { runCli } from "../helpers/cli.js";
import { asServerStorage, type ServerStorage } from "../../src/server/ports.js";
import { postgresBackend, sqliteBackend, type Backend } from "./harness.js";

async function seed(s: ServerStorage, n: number): Promise<void> {
  for (let i = 1; i <= n; i++)
    await s.audit.append({
      actor: "cli:test",
      action: "budget.create",
      target: `b${i}`,
      details: { after: { amountUsd: `${i}` } },
    });
}

describe("audit trail [sqlite file]", () => {
  let backend: Backend & { path?: string };
  let s: ServerStorage;
  let file: string;
  beforeAll(async () => {
    backend = sqliteBackend();
    s = await backend.open();
    file = (s as unknown as { path: string }).path;
    await seed(s, 4);
  });
  afterAll(async () => {
    await s?.close();
    await backend?.cleanup();
  });

  it("chains each row to the previous one and verifies", async () => {
    expect(await s.audit.verify()).toEqual({ ok: true, rows: 4 });
    const [newest, older] = await s.audit.list(2);
    expect(newest!.prevHash).toBe(older!.hash);
  });

  it("refuses UPDATE and DELETE through SQL", () => {
    const db = new Database(file);
    try {
      expect(() =>
        db.prepare("update token_ledger_audit_log set actor = 'mallory' where seq = 2").run(),
      ).toThrow(/append-only/);
      expect(() => db.prepare("delete from token_ledger_audit_log where seq = 4").run()).toThrow(
        /append-only/,
      );
    } finally {
      db.close();
    }
  });

  it("a row changed behind the triggers' back is found by audit verify, which names it", async () => {
    const db = new Database(file);
    try {
      db.exec("drop trigger token_ledger_audit_log_no_update");
      db.prepare(
        `update token_ledger_audit_log set details = '{"after":{"amountUsd":"999"}}' where seq = 3`,
      ).run();
    } finally {
      db.close();
    }
    expect(await s.audit.verify()).toMatchObject({ ok: false, seq: 3, rows: 2 });
    const cli = await runCli(["--db", file, "audit", "verify"], { env: { HOME: join(file, "..") } });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/audit trail broken at seq 3/);
  });
});

describePg("audit trail", () => {
  let backend: Backend;
  let s: ServerStorage;
  let schema: string;
  beforeAll(async () => {
    backend = postgresBackend(pgUrl()!);
    s = await backend.open();
    schema = backend.schema!;
    await seed(s, 3);
  });
  afterAll(async () => {
    await s?.close();
    await backend?.cleanup();
  });

  async function pgRows(text: string, setup: string[] = []): Promise<Record<string, unknown>[]> {
    const client = new pg.Client({ connectionString: pgUrl()! });
    await client.connect();
    try {
      for (const q of setup) await client.query(q);
      return (await client.query(text)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }

  it("refuses UPDATE, DELETE and TRUNCATE through SQL", async () => {
    const t = `"${schema}".token_ledger_audit_log`;
    await expect(pgRows(`update ${t} set actor = 'mallory' where seq = 1`)).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    await expect(pgRows(`delete from ${t} where seq = 1`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(pgRows(`truncate ${t}`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await s.audit.verify()).toEqual({ ok: true, rows: 3 });
  });

  it("concurrent appenders on separate connections keep one unbroken chain", async () => {
    const other = asServerStorage(postgresStorage({ connectionString: pgUrl()!, schema }))!;
    await other.init();
    try {
      await Promise.all([seed(s, 15), seed(other, 15)]);
    } finally {
      await other.close();
    }
    expect(await s.audit.verify()).toEqual({ ok: true, rows: 33 });
  });

  it("a superuser who disables triggers and edits a row is caught by verify, which names the row", async () => {
    await pgRows(`update "${schema}".token_ledger_audit_log set actor = 'someone-else' where seq = 2`, [
      "set session_replication_role = replica",
    ]);
    expect(await s.audit.verify()).toMatchObject({ ok: false, seq: 2 });
  });
});
