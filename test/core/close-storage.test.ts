import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TokenTracker, TokenLedgerConfigError } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { sample } from "../helpers/scripted-storage.js";

const ledger = () => sqliteStorage({ path: join(mkdtempSync(join(tmpdir(), "tl-close-")), "ledger.db") });
const quiet = { logger: false as const, autoFlushOnExit: false };
const count = async (s: ReturnType<typeof ledger>) => (await s.rollup({})).totals.events;

describe("closeStorage: who closes the adapter on shutdown()", () => {
  it("default: shutdown() closes an adapter the host passed in (documented behaviour kept)", async () => {
    const storage = ledger();
    const tracker = new TokenTracker({ storage, ...quiet });
    tracker.record(sample(1));
    expect((await tracker.shutdown()).persisted).toBe(1);
    await expect(storage.rollup({})).rejects.toThrow();
  });

  it("closeStorage: false leaves a passed adapter open: the host keeps reading and writing it", async () => {
    const storage = ledger();
    const tracker = new TokenTracker({ storage, closeStorage: false, ...quiet });
    tracker.record(sample(1));
    expect((await tracker.shutdown()).persisted).toBe(1);
    expect(await count(storage)).toBe(1);
    // A second tracker on the same adapter, as a server and its proxy share one ledger.
    const second = new TokenTracker({ storage, closeStorage: false, ...quiet });
    second.record(sample(2));
    await second.shutdown();
    expect(await count(storage)).toBe(2);
    await storage.close();
  });

  it("closeStorage: false with a factory leaves the adapter it returned open", async () => {
    const storage = ledger();
    const tracker = new TokenTracker({ storage: async () => storage, closeStorage: false, ...quiet });
    tracker.record(sample(1));
    await tracker.shutdown();
    expect(await count(storage)).toBe(1);
    await storage.close();
  });

  it("closeStorage: false with a URL is refused at construction, naming the option and why", () => {
    const dir = mkdtempSync(join(tmpdir(), "tl-close-"));
    expect(() => new TokenTracker({ storage: join(dir, "x.db"), closeStorage: false, ...quiet })).toThrow(
      TokenLedgerConfigError,
    );
    expect(() => new TokenTracker({ storage: join(dir, "x.db"), closeStorage: false, ...quiet })).toThrow(
      /"closeStorage" false needs "storage" to be a StorageAdapter or a factory/,
    );
  });

  it("a non-boolean closeStorage is a config error naming the option", () => {
    expect(() => new TokenTracker({ closeStorage: "no" as unknown as boolean, ...quiet })).toThrow(
      /option "closeStorage" must be true or false/,
    );
  });
});
