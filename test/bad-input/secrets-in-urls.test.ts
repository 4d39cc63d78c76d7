import { describe, expect, it } from "vitest";
import { maskDatabaseUrl, TokenTracker } from "tokenledger";
import { postgresStorage } from "tokenledger/postgres";
import { memoryLogger } from "../tracker/invariant.js";

const SECRETS = ["hunter2", "pw1", "k3y"];
const URL_WITH_SECRETS =
  "postgres://app:hunter2@127.0.0.1:1/ledger?password=pw1&sslpassword=k3y&sslmode=disable";

describe("database URLs are masked wherever they are printed", () => {
  it("masks the user-info password and the password / sslpassword query parameters, however short", () => {
    expect(maskDatabaseUrl(URL_WITH_SECRETS)).toBe(
      "postgres://app:****@127.0.0.1:1/ledger?password=****&sslpassword=****&sslmode=disable",
    );
  });

  it("the tracker's could-not-open warning names the server without any secret", async () => {
    const log = memoryLogger();
    const tracker = new TokenTracker({
      storage: URL_WITH_SECRETS,
      logger: log.logger,
      autoFlushOnExit: false,
    });
    tracker.record({ provider: "openai", model: "gpt-4o-mini", usage: { outputTokens: 1 } });
    await tracker.flush({ timeoutMs: 3000 });
    await tracker.shutdown({ timeoutMs: 500 });
    const printed = [...log.warns, ...log.errors].join("\n");
    expect(printed).toContain("postgres://app:****@127.0.0.1:1/ledger");
    for (const s of SECRETS) expect(printed).not.toContain(s);
  });

  it("postgresStorage's errors mask the URL too", async () => {
    const storage = postgresStorage({ connectionString: URL_WITH_SECRETS });
    const err = (await storage.init().catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("127.0.0.1:1");
    for (const s of SECRETS) expect(err.message).not.toContain(s);
    await storage.close();
  });
});
