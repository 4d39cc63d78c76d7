import { describe, expect, it } from "vitest";
import { redactSecrets } from "tokenledger";

describe("redactSecrets", () => {
  it("redacts keys, bearer tokens, URL passwords and key=value secrets", () => {
    const out = redactSecrets(
      "key sk-proj-abcdefghijklmnopqrstuv, Authorization: Bearer abc.def.ghi-jkl, postgres://app:hunter2@db:5432/x, api_key=AKIAABCDEFGHIJKLMNOP",
    );
    for (const leaked of ["abcdefghijklmnopqrstuv", "abc.def.ghi-jkl", "hunter2", "AKIAABCDEFGHIJKLMNOP"])
      expect(out).not.toContain(leaked);
    expect(out).toContain("postgres://");
  });

  it("redacts a URL password with no user name, as in an invalid-URL error", async () => {
    expect(redactSecrets("bad url postgres://:hunter2@/db")).not.toContain("hunter2");
    const { parseDatabaseUrl } = await import("../../src/core/database-url.js");
    let message = "";
    try {
      parseDatabaseUrl("postgres://:hunter2@/db", "--db");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("--db");
    expect(message).not.toContain("hunter2");
  });

  it("stays linear on long input (no regex backtracking blow-up)", () => {
    const t0 = performance.now();
    redactSecrets("x".repeat(1_000_000));
    redactSecrets("a:".repeat(200_000));
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
