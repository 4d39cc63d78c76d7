import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { StorageError, TokenLedgerConfigError, TokenLedgerError } from "tokenledger";
import { describe, expect, it } from "vitest";
import type * as Errors from "../../src/core/errors.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f));
}

describe("storage kit", () => {
  it("adapters never import the root barrel", () => {
    const offenders = sources("adapters").filter((f) =>
      /from "tokenledger"/.test(readFileSync(join(ROOT, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("errors made by another bundled copy of the classes still pass instanceof", async () => {
    // Each package entry bundles its own copy of core/errors; the query string gives the test such a copy.
    // @ts-expect-error: the type checker has no module for a path with a query string; vitest loads it.
    const copy = (await import("../../src/core/errors.ts?second-copy")) as typeof Errors;
    expect(copy.StorageError).not.toBe(StorageError);
    const err = new copy.StorageError("disk full", "backend");
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toBeInstanceOf(TokenLedgerError);
    expect(err).not.toBeInstanceOf(TokenLedgerConfigError);
    expect(new copy.TokenLedgerConfigError("x")).not.toBeInstanceOf(StorageError);
    expect(new Error("plain")).not.toBeInstanceOf(TokenLedgerError);
  });
});
