import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDatabaseUrl, resolveDatabaseTarget } from "../../src/core/database-url.js";
import { BACKEND_SCHEMES, STORAGE_BACKENDS } from "../../src/storage-backends.js";
import { DATABASE_SCHEMES } from "../../src/core/database-schemes.js";

describe("parseDatabaseUrl", () => {
  it("picks the backend from the URL scheme", () => {
    expect(parseDatabaseUrl("postgres://u@h:5432/db")).toEqual({
      kind: "postgres",
      url: "postgres://u@h:5432/db",
      source: "option",
    });
    expect(parseDatabaseUrl("POSTGRESQL://u@h/db").kind).toBe("postgres");
    expect(parseDatabaseUrl("postgres:///db?host=/tmp").kind).toBe("postgres");
    expect(parseDatabaseUrl("sqlite:a/b.db")).toEqual({
      kind: "sqlite",
      path: resolve("a/b.db"),
      source: "option",
    });
    expect(parseDatabaseUrl("file:///tmp/x.db").kind).toBe("sqlite");
    expect(parseDatabaseUrl("./x.db")).toMatchObject({ kind: "sqlite", path: resolve("x.db") });
    // A one-letter "scheme" is a Windows drive, not a URL.
    expect(parseDatabaseUrl("C:x.db").kind).toBe("sqlite");
    for (const m of [":memory:", "memory:", "memory://"])
      expect(parseDatabaseUrl(m)).toEqual({ kind: "memory", source: "option" });
    for (const s of ["https://h", "tokenledger+https://h", "tokenledger+http://127.0.0.1:1"]) {
      expect(parseDatabaseUrl(s, "storage")).toEqual({ kind: "http", url: s, source: "storage" });
    }
  });

  it("refuses bad URLs with an error naming where the value came from", () => {
    expect(() => parseDatabaseUrl("postgres://:pw@/db", "--db")).toThrow(
      /--db: ".*" is not a valid PostgreSQL URL/,
    );
    expect(() => parseDatabaseUrl("sqlite:", "--db")).toThrow(/--db: "sqlite:" names no SQLite file path/);
    expect(() => parseDatabaseUrl("http://h", "--db")).toThrow(/--db: .*plain http/);
    for (const bad of ["mysql://h/db", "memory:x", "MEMORY:", "https:h"]) {
      expect(() => parseDatabaseUrl(bad, "--db"), bad).toThrow(/--db: unsupported database scheme/);
    }
  });
});

describe("resolveDatabaseTarget", () => {
  it("skips a DATABASE_URL it cannot use (the application's own database or API)", () => {
    for (const url of ["mysql://h/db", "https://api.example.com", "http://h", "tokenledger+https://h"]) {
      expect(resolveDatabaseTarget(undefined, { DATABASE_URL: url, HOME: "/h" }).source, url).toBe("default");
    }
    for (const url of ["postgres://u@h/db", "sqlite:/tmp/a.db", "file:///tmp/a.db", "memory://"]) {
      expect(resolveDatabaseTarget(undefined, { DATABASE_URL: url }).source, url).toBe("DATABASE_URL");
    }
    // TOKENLEDGER_DATABASE_URL is ours: an unknown scheme there is an error, not skipped.
    expect(() => resolveDatabaseTarget(undefined, { TOKENLEDGER_DATABASE_URL: "mysql://h/db" })).toThrow(
      /TOKENLEDGER_DATABASE_URL: unsupported database scheme "mysql:"/,
    );
  });
});

describe("URL schemes come from one table", () => {
  it("gives every registry backend its URL forms, and nothing else", () => {
    expect(STORAGE_BACKENDS.map((b) => b.kind).sort()).toEqual(DATABASE_SCHEMES.map((s) => s.kind).sort());
    for (const b of STORAGE_BACKENDS) {
      expect(b.schemes, b.kind).toEqual(DATABASE_SCHEMES.find((s) => s.kind === b.kind)?.schemes);
    }
    expect(BACKEND_SCHEMES).toContain("postgresql");
  });
});
