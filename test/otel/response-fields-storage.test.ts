/**
 * Migration 0021: the response id and finish reasons survive every storage (memory, a SQLite file, a PostgreSQL
 * schema) and the server's wire schema; events without them read back without the keys.
 */
import { afterAll, describe, expect, it } from "vitest";
import { WireEventSchema } from "../../src/server/schemas/wire-event.js";
import { ledgerEvent } from "../contract/ledger-events.js";
import { storageFactories } from "../contract/storages.js";

const factories = storageFactories();
afterAll(async () => {
  for (const f of factories) await f.cleanup();
});

describe.each(factories)("response fields in $name", (f) => {
  it.skipIf(!f.available)("round-trips responseId and finishReasons; absent stays absent", async () => {
    const s = await f.create();
    const withFields = ledgerEvent({ responseId: "chatcmpl-abc", finishReasons: ["stop", "length"] });
    const without = ledgerEvent();
    await s.insertBatch([withFields, without]);
    const back = new Map<string, unknown>();
    for await (const e of s.events({})) back.set(e.id, e);
    expect(back.get(withFields.id)).toMatchObject({
      responseId: "chatcmpl-abc",
      finishReasons: ["stop", "length"],
    });
    expect(back.get(without.id)).not.toHaveProperty("responseId");
    expect(back.get(without.id)).not.toHaveProperty("finishReasons");
  });
});

describe("wire schema", () => {
  const base = {
    id: "0192f5c0-0000-7000-8000-000000000001",
    timestamp: "2026-12-01T10:00:00Z",
    provider: "openai",
    usage: {},
  };
  it("accepts the fields the SDK's remote backend now sends", () => {
    expect(
      WireEventSchema.safeParse({ ...base, responseId: "msg_1", finishReasons: ["end_turn"] }).success,
    ).toBe(true);
  });
  it("rejects a finish reason that is not a string, naming the field", () => {
    const r = WireEventSchema.safeParse({ ...base, finishReasons: [1] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues[0]?.path)).toContain("finishReasons");
  });
});
