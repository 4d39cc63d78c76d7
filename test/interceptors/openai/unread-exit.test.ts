import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNode, type ChildResult } from "../../helpers/cli.js";
import { startOpenAIServer, type OpenAIFakeServer } from "../../helpers/openai-server.js";

// A stream the application never reads is still generated and billed: it is recorded once, when it is
// released (garbage-collected) or when the process exits first. Real processes, real SQLite files.
const CHILD = fileURLToPath(new URL("./fixtures/unread-child.ts", import.meta.url));

let server: OpenAIFakeServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
});

function runChild(mode: string, db: string): Promise<ChildResult> {
  return runNode(["--expose-gc", "--import", "tsx", CHILD, mode, db, server.baseURL]);
}

function rows(
  db: string,
): { status: string; usage_source: string; metadata: string | null; streamed: number }[] {
  const d = new Database(db, { readonly: true });
  try {
    return d
      .prepare("select status, usage_source, metadata, streamed from token_ledger_events")
      .all() as never;
  } finally {
    d.close();
  }
}

const tmp = () => join(mkdtempSync(join(tmpdir(), "tl-unread-")), "ledger.db");

describe("streams never read", () => {
  it("released by the application (garbage-collected): one event, usage missing, streamUnread=released", async () => {
    const db = tmp();
    const r = await runChild("released", db);
    expect(r.code, r.stderr).toBe(0);
    const stored = rows(db);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: "ok", usage_source: "missing", streamed: 1 });
    expect(JSON.parse(stored[0]!.metadata!)).toEqual({ streamUnread: "released" });
  });

  it("still open when the process exits: one event written by the exit flush, streamUnread=exit", async () => {
    const db = tmp();
    const r = await runChild("exit", db);
    expect(r.code, r.stderr).toBe(0);
    const stored = rows(db);
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0]!.metadata!)).toEqual({ streamUnread: "exit" });
  });

  it("a streamed create() never awaited, released: one event (the request was sent and billed)", async () => {
    const db = tmp();
    const r = await runChild("unawaited-released", db);
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests.at(-1)?.body.stream).toBe(true);
    const stored = rows(db);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: "ok", usage_source: "missing", streamed: 1 });
    expect(JSON.parse(stored[0]!.metadata!)).toEqual({ streamUnread: "released" });
  });

  it("a streamed create() never awaited, pending at exit: one event, streamUnread=exit", async () => {
    const db = tmp();
    const r = await runChild("unawaited-exit", db);
    expect(r.code, r.stderr).toBe(0);
    const stored = rows(db);
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0]!.metadata!)).toEqual({ streamUnread: "exit" });
  });
});
