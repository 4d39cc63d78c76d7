import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RollupResult, StorageAdapter } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { claudeCodeImporter } from "../../src/importers/claude-code.js";
import { runImport } from "../../src/importers/run-import.js";
import { ImportState } from "../../src/importers/state.js";
import { claudeLine, tempDir } from "./fixtures.js";
import { noPrices } from "./helpers.js";

/**
 * A Claude Code session as written while it runs: per message a user line and three streaming snapshots
 * (output growing, only the last with a stop_reason), with text long enough that chunks cut lines in the middle.
 */
function sessionText(messages: number): string {
  const lines: string[] = [];
  for (let m = 0; m < messages; m++) {
    const at = new Date(Date.UTC(2026, 10, 1, 10) + m * 40_000).toISOString();
    lines.push(
      JSON.stringify({
        type: "user",
        sessionId: "live",
        message: { role: "user", content: `step ${m}: "usage":{ is only text here` },
        timestamp: at,
      }),
    );
    for (let s = 0; s < 3; s++) {
      const line = claudeLine({
        messageId: `msg_${m}`,
        sessionId: "live",
        timestamp: at,
        input: 10 + m,
        cacheRead: 5000,
        cacheWrite: m === 0 ? 3000 : 200,
        output: s === 2 ? 100 + m * 7 : s + 1,
        ...(s === 2 ? { stop: m % 2 ? "tool_use" : "end_turn" } : {}),
      }) as { message: { content: unknown[] } };
      line.message.content = [{ type: "text", text: `block ${s} `.repeat(40) }];
      lines.push(JSON.stringify(line));
    }
  }
  return lines.map((l) => `${l}\n`).join("");
}

const ledgers: StorageAdapter[] = [];
afterAll(async () => {
  for (const l of ledgers) await l.close();
});

async function ledger(dir: string, name: string): Promise<StorageAdapter> {
  const s = sqliteStorage({ path: join(dir, `${name}.db`) });
  await s.init();
  ledgers.push(s);
  return s;
}

/** The storage without `replaceBatch`: provisional rows can then never be revised (the negative control). */
function withoutReplace(s: StorageAdapter): StorageAdapter {
  return {
    kind: s.kind,
    init: () => s.init(),
    insertBatch: (e) => s.insertBatch(e),
    rollup: (q) => s.rollup(q),
    latency: (q) => s.latency(q),
    events: (q) => s.events(q),
    close: () => s.close(),
  };
}

async function importOnce(root: string, storage: StorageAdapter, statePath: string) {
  const state = await ImportState.load(statePath);
  return runImport({ importer: claudeCodeImporter, root, storage, pricer: noPrices, state });
}

const totals = (r: RollupResult) => {
  const { events, requests, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } = r.totals;
  return { events, requests, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens };
};

async function oneShot(dir: string, text: string): Promise<RollupResult> {
  const root = join(dir, "oneshot", "projects");
  const file = join(root, "-home-dev-app", "live.jsonl");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  const storage = await ledger(dir, "oneshot");
  await importOnce(root, storage, join(dir, "oneshot.state.json"));
  return storage.rollup({ groupBy: ["model"], bucket: "hour" });
}

/** Append `text` in pieces cut at awkward places, importing after each piece. */
async function interleaved(dir: string, name: string, text: string, storage: StorageAdapter) {
  const root = join(dir, name, "projects");
  const file = join(root, "-home-dev-app", "live.jsonl");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, "");
  const statePath = join(dir, `${name}.state.json`);
  let provisional = 0;
  let revised = 0;
  for (let at = 0, i = 0; at < text.length; i++) {
    const piece = 97 + ((i * 7919) % 1700); // mid-line and mid-message cuts
    appendFileSync(file, text.slice(at, at + piece));
    at += piece;
    const s = await importOnce(root, storage, statePath);
    provisional += s.provisional;
    revised += s.revised;
  }
  const last = await importOnce(root, storage, statePath);
  return { provisional, revised, last };
}

describe("claude-code live files", () => {
  const dir = tempDir("tl-live-");
  const text = sessionText(40);

  it("imports interleaved with appends (lines and messages cut mid-way) end with the one-shot totals", async () => {
    const expected = await oneShot(dir, text);
    const storage = await ledger(dir, "interleaved");
    const run = await interleaved(dir, "interleaved", text, storage);
    expect(run.provisional).toBeGreaterThan(10); // many imports really saw a message mid-stream
    expect(run.revised).toBeGreaterThan(10);
    expect(run.last).toMatchObject({ events: 0, malformedLines: 0, incompleteTails: 0 });
    const got = await storage.rollup({ groupBy: ["model"], bucket: "hour" });
    expect(totals(got)).toEqual(totals(expected));
    expect(got.rows).toEqual(expected.rows);
    expect(got.totals.events).toBe(40);
  });

  it("negative control: without revising provisional rows the partial snapshots stay and totals are low", async () => {
    const expected = await oneShot(dir, text);
    const storage = withoutReplace(await ledger(dir, "control"));
    await interleaved(dir, "control", text, storage);
    const got = await storage.rollup({});
    expect(got.totals.events).toBe(40);
    expect(got.totals.outputTokens).toBeLessThan(expected.totals.outputTokens);
  });

  it("a writer appending concurrently with an import loop: final totals equal the one-shot import", async () => {
    const expected = await oneShot(dir, text);
    const storage = await ledger(dir, "concurrent");
    const root = join(dir, "concurrent", "projects");
    const file = join(root, "-home-dev-app", "live.jsonl");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, "");
    const statePath = join(dir, "concurrent.state.json");
    let done = false;
    const writer = (async () => {
      for (let at = 0, i = 0; at < text.length; i++) {
        const piece = 50 + ((i * 104729) % 900);
        await appendFile(file, text.slice(at, at + piece));
        at += piece;
        if (i % 3 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      done = true;
    })();
    let imports = 0;
    while (!done) {
      await importOnce(root, storage, statePath);
      imports += 1;
    }
    await writer;
    await importOnce(root, storage, statePath);
    expect(imports).toBeGreaterThan(2);
    expect(totals(await storage.rollup({}))).toEqual(totals(expected));
  });

  it("reads only the new bytes of a grown file, and a rewritten file again from the start", async () => {
    const root = join(dir, "resume", "projects");
    const file = join(root, "-home-dev-app", "s.jsonl");
    mkdirSync(dirname(file), { recursive: true });
    const first = sessionText(3);
    writeFileSync(file, first);
    const storage = await ledger(dir, "resume");
    const statePath = join(dir, "resume.state.json");
    expect((await importOnce(root, storage, statePath)).bytesRead).toBe(Buffer.byteLength(first));
    const more = JSON.stringify(
      claudeLine({ messageId: "msg_new", timestamp: "2026-11-01T12:00:00Z", output: 5, stop: "end_turn" }),
    );
    appendFileSync(file, `${more}\n`);
    const grown = await importOnce(root, storage, statePath);
    expect(grown).toMatchObject({ filesResumed: 1, events: 1, bytesRead: Buffer.byteLength(more) + 1 });

    // Same length, different bytes before the offset: not an append, so the whole file is read again.
    writeFileSync(file, `${first.replace("step 0", "STEP 0")}${more}\n`);
    const rewritten = await importOnce(root, storage, statePath);
    expect(rewritten.filesResumed).toBe(0);
    expect(rewritten.bytesRead).toBe(Buffer.byteLength(first) + Buffer.byteLength(more) + 1);
    expect((await storage.rollup({})).totals.events).toBe(4); // nothing counted twice
  });

  it("a last line still being written is left for the next import, not reported as malformed", async () => {
    const root = join(dir, "tail", "projects");
    const file = join(root, "-home-dev-app", "s.jsonl");
    mkdirSync(dirname(file), { recursive: true });
    const line = JSON.stringify(
      claudeLine({ messageId: "m1", timestamp: "2026-11-01T12:00:00Z", output: 5, stop: "end_turn" }),
    );
    writeFileSync(file, line.slice(0, 60));
    const storage = await ledger(dir, "tail");
    const statePath = join(dir, "tail.state.json");
    expect(await importOnce(root, storage, statePath)).toMatchObject({
      events: 0,
      malformedLines: 0,
      incompleteTails: 1,
    });
    appendFileSync(file, `${line.slice(60)}\n`);
    expect(await importOnce(root, storage, statePath)).toMatchObject({ events: 1, incompleteTails: 0 });
  });
});
