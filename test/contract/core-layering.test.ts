import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CORE = resolve(fileURLToPath(new URL("../../src/core", import.meta.url)));

describe("core layering", () => {
  it("src/core loads no pricing module at run time (the package entry wires the default pricer in)", () => {
    const offenders = readdirSync(CORE)
      .filter((f) => f.endsWith(".ts"))
      .filter((f) =>
        /^import (?!type )[^;]*from "\.\.\/pricing\//m.test(readFileSync(join(CORE, f), "utf8")),
      );
    expect(offenders).toEqual([]);
  });
});
