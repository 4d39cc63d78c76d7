import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { afterAll, describe, expect, it } from "vitest";
import {
  AlertOutbox,
  TokenLedgerConfigError,
  alertFor,
  emailChannel,
  parseBudget,
  periodWindow,
  slackChannel,
  verifySignature,
  webhookChannel,
  type BudgetAlert,
  type BudgetStore,
} from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { sqliteStorage } from "tokenledger/sqlite";
import { describePg, dropSchema, pgUrl, uniqueSchema } from "../helpers/pg.js";
import { childOutput, spawnChild } from "../storage/child-process.js";
import { startReceiver } from "./receiver.js";

const dir = mkdtempSync(join(tmpdir(), "tl-budget-alerts-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

const budget = parseBudget({ id: "alerted", scope: "org", period: "month", amountUsd: "10" });
const window = () => periodWindow(Date.now(), "month", "UTC");

async function fourProcesses(args: [string, string, string], claim: boolean): Promise<number> {
  const receiver = await startReceiver();
  const startAt = Date.now() + 1500;
  const children = await Promise.all(
    [0, 1, 2, 3].map(() =>
      spawnChild("budget-alerter.ts", [...args, claim ? "on" : "off", String(startAt), receiver.url]),
    ),
  );
  for (const o of await Promise.all(children.map((c) => childOutput(c)))) expect(o.code, o.stderr).toBe(0);
  await receiver.close();
  return receiver.received.length;
}

describe("alerts are delivered exactly once across processes [sqlite]", () => {
  it("4 processes crossing 75 % together: one webhook; with claim and lease switched off: four (negative control)", async () => {
    const path = join(dir, "race.db");
    const s = sqliteStorage({ path });
    await s.init();
    await s.close();
    expect(await fourProcesses(["sqlite", path, "-"], true)).toBe(1);
    const path2 = join(dir, "race-off.db");
    const s2 = sqliteStorage({ path: path2 });
    await s2.init();
    await s2.close();
    expect(await fourProcesses(["sqlite", path2, "-"], false)).toBe(4);
  }, 60_000);
});

describePg("alerts are delivered exactly once across processes", () => {
  it("4 processes crossing 75 % together: one webhook; with claim and lease switched off: four (negative control)", async () => {
    const url = pgUrl()!;
    for (const claim of [true, false]) {
      const schema = uniqueSchema("tl_budget_alerts");
      schemas.push(schema);
      const s = postgresStorage({ connectionString: url, schema });
      await s.init();
      await s.close();
      expect(await fourProcesses(["postgres", url, schema], claim)).toBe(claim ? 1 : 4);
    }
  }, 60_000);
});

async function withStore<T>(fn: (store: BudgetStore) => Promise<T>): Promise<T> {
  const s = sqliteStorage({ path: join(dir, `one-${Math.random()}.db`) });
  await s.init();
  try {
    return await fn(s.budgets);
  } finally {
    await s.close();
  }
}

describe("retries", () => {
  it("a receiver answering 500 then 200 gets exactly one successful delivery, and later sweeps send nothing", async () => {
    const receiver = await startReceiver([500]);
    await withStore(async (store) => {
      const outbox = new AlertOutbox(store, [webhookChannel({ url: receiver.url, secret: "k" })], {
        backoff: { baseMs: 10, factor: 2, maxMs: 10, jitter: 0 },
        onError: () => {},
      });
      const alert = alertFor(budget, window(), 90, "9.1", false);
      await outbox.enqueue(alert);
      await outbox.enqueue(alert); // a second process computing the same crossing: already claimed
      expect(receiver.received.map((r) => r.status)).toEqual([500]);
      await new Promise((r) => setTimeout(r, 30));
      expect(await outbox.deliverDue()).toBe(1);
      await new Promise((r) => setTimeout(r, 30));
      expect(await outbox.deliverDue()).toBe(0);
      expect(receiver.received.map((r) => r.status)).toEqual([500, 200]);
      const [row] = await store.alerts("alerted");
      expect(row).toMatchObject({ threshold: 90, attempts: 2, lastError: null });
      expect(row!.deliveredAt).not.toBeNull();
      const body = JSON.parse(receiver.received[1]!.body) as BudgetAlert;
      expect(body).toMatchObject({ budget_id: "alerted", threshold: 90, budget_percentage_used: 91 });
      expect(verifySignature("k", receiver.received[1]!.body, receiver.received[1]!.signature!)).toBe(true);
    });
    await receiver.close();
  });

  it("an acknowledged threshold never re-sends in the period; a higher threshold still fires", async () => {
    const receiver = await startReceiver();
    await withStore(async (store) => {
      const outbox = new AlertOutbox(store, [slackChannel({ url: receiver.url })]);
      await outbox.enqueue(alertFor(budget, window(), 75, "7.5", false));
      expect(await store.ack("alerted", window().key, 75, "alice", Date.now())).toBe(1);
      await outbox.enqueue(alertFor(budget, window(), 75, "7.6", false));
      await outbox.enqueue(alertFor(budget, window(), 90, "9", false));
      const texts = receiver.received.map((r) => (JSON.parse(r.body) as { text: string }).text);
      expect(texts).toHaveLength(2);
      expect(texts[0]).toContain("reached 75%");
      expect(texts[1]).toContain("reached 90%");
      expect((await store.alerts("alerted"))[0]!.ackedBy).toBe("alice");
    });
    await receiver.close();
  });
});

describe("channels", () => {
  it("e-mail goes through a real SMTP server on 127.0.0.1", async () => {
    const mails: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onData(stream, _session, cb) {
        let raw = "";
        stream.on("data", (d: Buffer) => (raw += d.toString()));
        stream.on("end", () => (mails.push(raw), cb()));
      },
    });
    await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
    const port = (smtp.server.address() as { port: number }).port;
    await withStore(async (store) => {
      const outbox = new AlertOutbox(store, [
        emailChannel({ host: "127.0.0.1", port, from: "ledger@example.test", to: ["ops@example.test"] }),
      ]);
      await outbox.enqueue(alertFor(budget, window(), 100, "10.2", true));
    });
    await new Promise<void>((r) => smtp.close(() => r()));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain("To: ops@example.test");
    expect(mails[0]).toContain("Subject: [tokenledger] budget alerted blocked a call");
    const body = mails[0]!.replace(/=\r\n/g, ""); // quoted-printable soft line breaks
    expect(body).toContain('"budget_percentage_used": 102');
    expect(body).toContain("blocked a call: $10.2 of $10 (102% used)");
  });

  it("refuses a non-http(s) URL, and plain http to another host without the opt-in, naming the option", () => {
    expect(() => webhookChannel({ url: "ftp://x.test/h", secret: "s" })).toThrow(
      /webhook\.url: only http\(s\)/,
    );
    expect(() => slackChannel({ url: "http://hooks.example.com/x" })).toThrow(/slack\.url: plain http/);
    expect(() => slackChannel({ url: "http://hooks.example.com/x", allowInsecureHttp: true })).not.toThrow();
    expect(() => webhookChannel({ url: "https://x.test/h", secret: "" })).toThrow(TokenLedgerConfigError);
  });
});
