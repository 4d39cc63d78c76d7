import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instrument, track, untrack, withContext, type LedgerEvent } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";

// Realistic key shapes, assembled at run time so no scanner mistakes this file for a leak.
const repeat = (s: string, n: number) => s.repeat(Math.ceil(n / s.length)).slice(0, n);
const KEYS = {
  openai: `sk-proj-${repeat("Q7canaryOpenAI9x", 48)}`,
  openaiLegacy: `sk-${repeat("L3gacyCanary0", 48)}`,
  anthropic: `sk-ant-api03-${repeat("AnthCanary_9-x", 95)}AA`,
  google: `AIza${repeat("SyGoogCanary_7-", 35)}`,
  aws: `AKIA${repeat("Z7CANARYAWS4", 16)}`,
  bearer: `Bearer ${repeat("b3arerCanaryTok", 40)}`,
};
/** What must never appear: the secret part of each key (the Bearer token without its scheme word). */
const NEEDLES = Object.values(KEYS).map((k) => k.replace(/^Bearer /, "").slice(-24));

let server: Server;
let baseURL: string;

beforeAll(async () => {
  // An OpenAI-compatible gateway that echoes the caller's key in x-request-id (some proxies do).
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, {
        "content-type": "application/json",
        "x-request-id": `req_${String(req.headers.authorization)}`,
      });
      res.end(
        JSON.stringify({
          id: "chatcmpl-1",
          object: "chat.completion",
          created: 1,
          model: "gpt-4o-mini-2024-07-18",
          choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise((r) => server.close(r)));

function scan(files: readonly string[]): string[] {
  const hits: string[] = [];
  for (const f of files.filter((x) => existsSync(x))) {
    const bytes = readFileSync(f).toString("latin1");
    for (const n of NEEDLES) if (bytes.includes(n)) hits.push(`${n} in ${f}`);
  }
  return hits;
}

describe("secrets in request ids, attribution and metadata are redacted before storage", () => {
  it("no key shape (sk-, sk-ant-, AIza, AKIA, Bearer) reaches any byte of the SQLite ledger or its WAL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tl-secret-fields-"));
    const file = join(dir, "ledger.db");
    const logs: string[] = [];
    const storage = sqliteStorage({ path: file });
    const tracker = track({
      storage,
      instrument: false,
      logger: { warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    });

    // 1. The interceptor path: the provider echoes the Authorization header in x-request-id.
    const client = new OpenAI({ apiKey: KEYS.openai, baseURL });
    expect(instrument(client)).toBe(true);
    const reply = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(reply.choices[0]!.message.content).toBe("ok"); // the SDK's answer is untouched

    // 2. record() with keys pasted into every free-text field an application controls.
    const values = Object.values(KEYS);
    values.forEach((key, i) =>
      tracker.record({
        provider: "openai",
        model: "gpt-4o-mini",
        usage: { uncachedInputTokens: 10, outputTokens: 5 },
        requestId: key,
        attribution: { userId: key, teamId: `team ${key}`, feature: "chat", sessionId: key },
        metadata: {
          note: `called with ${key}`,
          apiKey: `plain-${i}-not-key-shaped`,
          headers: { authorization: key, "x-api-key": "short-but-named" },
          list: [key],
          maxTokens: "4096",
        },
        errorMessage: `401 Incorrect API key provided: ${key}`,
        status: "error",
      }),
    );
    // 3. Attribution from withContext, as middleware sets it.
    withContext({ userId: KEYS.aws, projectId: KEYS.google }, () =>
      tracker.record({ provider: "openai", model: "gpt-4o-mini", usage: { outputTokens: 1 } }),
    );
    await tracker.flush({ timeoutMs: 10_000 });

    const events: LedgerEvent[] = [];
    for await (const e of storage.events({})) events.push(e);
    expect(events).toHaveLength(values.length + 2); // nothing dropped by the redaction
    const intercepted = events.find((e) => e.requestId?.startsWith("req_"))!;
    expect(intercepted.requestId).toMatch(/^req_(Bearer )?\[REDACTED\]$/);
    const recorded = events.filter((e) => e.status === "error");
    for (const e of recorded) {
      expect(e.requestId).toBe("[REDACTED]");
      expect(e.userId).toBe("[REDACTED]");
      expect(e.teamId).toBe("team [REDACTED]");
      expect(e.feature).toBe("chat"); // ordinary values are kept as they are
      expect(e.metadata).toMatchObject({
        note: "called with [REDACTED]",
        apiKey: "[REDACTED]", // a field named like a credential, whatever its value looks like
        headers: { authorization: "[REDACTED]", "x-api-key": "[REDACTED]" },
        list: ["[REDACTED]"],
        maxTokens: "4096",
      });
      expect(e.errorMessage).toBe("401 Incorrect API key provided: [REDACTED]");
    }
    const fromContext = events.find((e) => e.projectId !== null)!;
    expect(fromContext.userId).toBe("[REDACTED]");
    expect(fromContext.projectId).toBe("[REDACTED]");

    await untrack();
    expect(scan([file, `${file}-wal`, `${file}-shm`])).toEqual([]);
    expect(logs.filter((l) => NEEDLES.some((n) => l.includes(n)))).toEqual([]);
  });
});
