import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BudgetExceededError, BudgetGuard, parseBudget, withContext } from "tokenledger";
import { sqliteStorage } from "tokenledger/sqlite";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { harness, patch, require, testPricer } from "../interceptors/openai/support.js";

/** The pre-call gate on every installed openai major: block before the request, downgrade, same return type. */
const VERSIONS = ["openai", "openai-v5", "openai-v4"] as const;
const dir = mkdtempSync(join(tmpdir(), "tl-budget-sdk-"));
let server: OpenAIFakeServer;
beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const messages = [{ role: "user" as const, content: "Hi" }];

describe.each(VERSIONS)("%s", (pkg) => {
  const mod = require(pkg);
  const APIPromise = mod.APIPromise ?? require(`${pkg}/core`).APIPromise; // openai 4 keeps it in /core
  it("blocks with no request sent (chat and responses), and downgrades the model sent", async () => {
    const storage = sqliteStorage({ path: join(dir, `${pkg}.db`) });
    await storage.init();
    const guard = new BudgetGuard({ store: storage.budgets, pricer: testPricer }).install();
    const h = harness({ baseURLProviders: { "127.0.0.1": "openai" } });
    const set = patch(mod, h);
    const client = new mod.OpenAI({ apiKey: "sk-test", baseURL: server.baseURL, maxRetries: 0 });
    try {
      server.requests.length = 0;
      await storage.budgets.put(
        parseBudget({ id: "blocked", scope: "team", scopeId: "x", period: "day", amountUsd: "0.000001" }),
      );
      await storage.budgets.put(
        parseBudget({
          id: "down",
          scope: "org",
          period: "day",
          amountUsd: "0.000001",
          action: "downgrade",
          downgradeMap: { "gpt-4o": "gpt-4o-mini" },
        }),
      );
      guard.invalidate();
      await withContext({ teamId: "x" }, async () => {
        const chat = client.chat.completions.create({ model: "gpt-4o", messages, max_tokens: 10 });
        expect(chat).toBeInstanceOf(APIPromise);
        await expect(chat).rejects.toBeInstanceOf(BudgetExceededError);
        await expect(
          client.responses.create({ model: "gpt-4o", input: "Hi", max_output_tokens: 10 }),
        ).rejects.toBeInstanceOf(BudgetExceededError);
      });
      expect(server.requests).toHaveLength(0);
      await client.chat.completions.create({ model: "gpt-4o", messages, max_tokens: 10 });
      expect(server.requests.map((r) => r.body.model)).toEqual(["gpt-4o-mini"]);
      await h.flushed();
      await guard.idle();
    } finally {
      set.restore();
      guard.uninstall();
      await storage.close();
    }
  });
});
