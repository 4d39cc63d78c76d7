import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findConfigFile } from "../../src/pricing/config-prices.js";
import { configuredPricer, createPricer } from "../../src/pricing/pricer.js";
import { priceOf, usage } from "./price-helpers.js";

// The SDK's default pricer reads the same tokenledger.config.yaml prices the CLI suggests in `prices check`.
const million = usage({ uncachedInputTokens: 1_000_000, outputTokens: 1_000_000 });

function project(config: string | null): { home: string; cwd: string } {
  const home = mkdtempSync(join(tmpdir(), "tl-cfg-"));
  const cwd = join(home, "app", "src");
  mkdirSync(cwd, { recursive: true });
  if (config !== null) writeFileSync(join(home, "app", "tokenledger.config.yaml"), config);
  return { home, cwd };
}

describe("tokenledger.config.yaml prices in the SDK", () => {
  it("prices a model from the nearest config file, found from a subdirectory", () => {
    const { home, cwd } = project(
      'database: ./ledger.db\nprices:\n  acme/m-1:\n    input: "2"\n    output: "8"\n',
    );
    expect(findConfigFile(cwd, { HOME: home })).toBe(join(home, "app", "tokenledger.config.yaml"));
    const pricer = configuredPricer(cwd, { HOME: home, XDG_CONFIG_HOME: join(home, "xdg") });
    expect(pricer.warnings).toEqual([]);
    expect(priceOf("acme", "m-1", million, { pricer })).toBe("10");
    // Negative control: the same model without the config file stays unpriced.
    const bare = project(null);
    const none = configuredPricer(bare.cwd, { HOME: bare.home, XDG_CONFIG_HOME: join(bare.home, "xdg") });
    expect(priceOf("acme", "m-1", million, { pricer: none })).toBeNull();
  });

  it("reports a bad price in the config file as a warning naming the file, key and value, and never throws", () => {
    const { home, cwd } = project('prices:\n  acme/m-1:\n    input: "-2"\n    output: "8"\n');
    const pricer = configuredPricer(cwd, { HOME: home, XDG_CONFIG_HOME: join(home, "xdg") });
    expect(pricer.warnings).toHaveLength(1);
    expect(pricer.warnings[0]).toContain(join(home, "app", "tokenledger.config.yaml"));
    expect(pricer.warnings[0]).toMatch(/acme\/m-1.*input/);
    expect(priceOf("openai", "gpt-4o", million, { pricer })).toBe("12.5");
  });

  it("throws, naming the file, when the config file is given explicitly and is invalid", () => {
    const { home } = project("prices:\n  acme/m-1:\n    input: lots\n    output: 8\n");
    const file = join(home, "app", "tokenledger.config.yaml");
    expect(() => createPricer({ configFile: file })).toThrow(new RegExp(`${file}.*acme/m-1.*input`));
  });
});
