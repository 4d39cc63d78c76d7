import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerEvent, StorageAdapter } from "tokenledger";
import { liveRowsFirst } from "../../src/core/live-rows-first.js";
import { providerRequestEventId, withoutLiveDuplicates } from "../../src/core/live-calls.js";
import { stableEventId } from "../../src/core/stable-id.js";
import { ledgerEvent } from "../contract/ledger-events.js";
import { storageFactories } from "../contract/storages.js";

const AT = "2026-11-20T12:00:00Z";
const usage = (output: number) => ({ ...ledgerEvent().usage, outputTokens: output });

/** One Anthropic call as each source writes it: the same request id, ids by each source's own rule. */
function rows(requestId: string) {
  const live = providerRequestEventId("anthropic", requestId);
  const base = { provider: "anthropic", model: "claude-sonnet-4-5", requestId, at: AT };
  return {
    imported: ledgerEvent({
      ...base,
      id: stableEventId("claude-code", "message", `msg_${requestId}`),
      usageSource: "import",
      usage: usage(40),
    }),
    otlp: ledgerEvent({
      ...base,
      id: live,
      usageSource: "import",
      usage: usage(40),
      metadata: { source: "otlp" },
    }),
    proxy: ledgerEvent({ ...base, id: live, userId: "alice", usage: usage(40) }),
  };
}

async function stored(s: StorageAdapter, requestId: string): Promise<LedgerEvent[]> {
  const out: LedgerEvent[] = [];
  for await (const e of s.events({})) if (e.requestId === requestId) out.push(e);
  return out;
}

const factories = storageFactories().filter((f) => f.name !== "memory");
afterAll(async () => {
  for (const f of factories) await f.cleanup();
});

/** Output tokens of the whole ledger, from its rollups (which replaceBatch keeps in step). */
async function totalOutput(s: StorageAdapter): Promise<number> {
  return (await s.rollup({ groupBy: [], bucket: "hour" })).totals.outputTokens;
}

for (const f of factories)
  describe.skipIf(!f.available)(
    `one row per provider call, whichever source writes first [${f.name}]`,
    () => {
      // One ledger per backend (a PostgreSQL schema costs about a second); each test uses its own request ids.
      let s: StorageAdapter;
      beforeAll(async () => {
        if (f.available) s = await f.create();
      });
      it("an imported call is replaced in place by the proxy's row (its attribution wins, the import's id stays)", async () => {
        const r = rows("req_import_then_proxy");
        const before = await totalOutput(s);
        await s.insertBatch([r.imported]);
        await liveRowsFirst(s).insertBatch([r.proxy]);
        const got = await stored(s, "req_import_then_proxy");
        expect(got.map((e) => [e.id, e.userId, e.usageSource])).toEqual([
          [r.imported.id, "alice", "provider"],
        ]);
        expect(got[0]!.metadata).toMatchObject({ liveEventId: r.proxy.id });
        // The rollups count the call once (replaceBatch took the imported row out of them).
        expect((await totalOutput(s)) - before).toBe(40);
        // Re-importing the transcript changes nothing: same id, idempotent insert.
        await s.insertBatch(await withoutLiveDuplicates(s, [r.imported]));
        expect((await stored(s, "req_import_then_proxy")).map((e) => e.userId)).toEqual(["alice"]);
      });

      it("negative control: without liveRowsFirst the same sequence counts the call twice", async () => {
        const r = rows("req_control");
        const before = await totalOutput(s);
        await s.insertBatch([r.imported]);
        await s.insertBatch([r.proxy]);
        expect((await totalOutput(s)) - before).toBe(80);
      });

      it("import, then OTLP, then proxy: one row, and it ends as the proxy's", async () => {
        const r = rows("req_three_sources");
        await s.insertBatch([r.imported]);
        await liveRowsFirst(s).insertBatch([r.otlp]);
        let got = await stored(s, "req_three_sources");
        expect(got.map((e) => [e.id, e.metadata?.source])).toEqual([[r.imported.id, "otlp"]]);
        await liveRowsFirst(s).insertBatch([r.proxy]);
        got = await stored(s, "req_three_sources");
        expect(got.map((e) => [e.id, e.userId])).toEqual([[r.imported.id, "alice"]]);
      });

      it("OTLP and proxy rows of one request: the proxy's wins in either order and in one batch", async () => {
        const a = rows("req_otlp_first");
        await liveRowsFirst(s).insertBatch([a.otlp]);
        await liveRowsFirst(s).insertBatch([a.proxy]);
        const b = rows("req_proxy_first");
        await liveRowsFirst(s).insertBatch([b.proxy]);
        await liveRowsFirst(s).insertBatch([b.otlp]);
        const c = rows("req_same_batch");
        await liveRowsFirst(s).insertBatch([c.otlp, c.proxy]);
        for (const id of ["req_otlp_first", "req_proxy_first", "req_same_batch"])
          expect((await stored(s, id)).map((e) => [e.userId, e.metadata?.source ?? null])).toEqual([
            ["alice", null],
          ]);
      });

      it("rows without a provider request id pass through untouched", async () => {
        const plain = ledgerEvent({ at: AT, requestId: "chatcmpl-plain" });
        await liveRowsFirst(s).insertBatch([plain, plain]);
        expect((await stored(s, "chatcmpl-plain")).length).toBe(1);
      });
    },
  );
