import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { catalogFreshness, sourceUrls } from "../../src/pricing/freshness.js";
import { runCli, sandbox, type Sandbox } from "../helpers/cli.js";
import { seedLedger } from "./seed.js";

let box: Sandbox;
beforeAll(async () => {
  box = sandbox();
  await seedLedger(box.ledger, [
    // Many small calls of one unpriced model, one huge call of another: the huge one is what the report misses.
    ...Array.from({ length: 5 }, (_, i) => ({
      at: `2026-11-0${i + 1}T10:00:00Z`,
      provider: "acme",
      model: "m-small",
      usage: { uncachedInputTokens: 100, outputTokens: 10 },
      costUsd: null,
    })),
    {
      at: "2026-11-03T10:00:00Z",
      provider: "acme",
      model: "m-big",
      usage: { uncachedInputTokens: 900_000, cacheReadTokens: 100_000, outputTokens: 50_000 },
      costUsd: null,
    },
    {
      at: "2026-11-03T11:00:00Z",
      usage: { uncachedInputTokens: 10, outputTokens: 5 },
      costUsd: "0.0001",
    },
  ]);
});

const CLI_TIMEOUT = 120_000;

describe.concurrent("prices check", () => {
  it(
    "ranks unpriced models by tokens, with call counts and token totals",
    async () => {
      const r = await runCli(["prices", "check", "--json"], { env: box.env });
      expect(r.code).toBe(0);
      const { models } = JSON.parse(r.stdout);
      expect(models.map((m: { model: string }) => m.model)).toEqual(["m-big", "m-small"]);
      expect(models[0]).toMatchObject({
        events: 1,
        inputTokens: 1_000_000,
        outputTokens: 50_000,
        totalTokens: 1_050_000,
      });
      expect(models[1]).toMatchObject({ events: 5, inputTokens: 500, outputTokens: 50, totalTokens: 550 });
      const text = await runCli(["prices", "check"], { env: box.env });
      expect(text.stdout).toMatch(/Input tokens/);
      expect(text.stdout).toMatch(/1,000,000/);
    },
    CLI_TIMEOUT,
  );
});

describe.concurrent("prices audit", () => {
  it(
    "shows every model whose price differs between layers, with both values and their sources",
    async () => {
      const file = join(box.home, "litellm-audit.json");
      writeFileSync(
        file,
        JSON.stringify({
          // LiteLLM says gpt-4.1 costs $2.20 in: the catalog says $2.
          "gpt-4.1": {
            litellm_provider: "openai",
            mode: "chat",
            input_cost_per_token: 0.0000022,
            output_cost_per_token: 0.000008,
            cache_read_input_token_cost: 0.0000005,
          },
        }),
      );
      const r = await runCli(["prices", "audit", "--litellm", file, "--json"], { env: box.env });
      expect(r.stderr).toBe("");
      const { comparisons } = JSON.parse(r.stdout);
      const byPair = Object.fromEntries(
        comparisons.map((c: { a: string; b: string }) => [`${c.a}/${c.b}`, c]),
      );
      const litellm = byPair["catalog/litellm"].differences.find(
        (d: { key: string }) => d.key === "openai/gpt-4.1",
      );
      expect(litellm.differences).toContainEqual({ field: "input", a: "2", b: "2.2" });
      expect(litellm.reviewed).toBeNull();
      // Catalog vs broad layer: every difference is a reviewed one, with its reason.
      const broad = byPair["catalog/broad"];
      expect(broad.matched).toBeGreaterThan(100);
      expect(broad.differences.length).toBeGreaterThan(0);
      for (const d of broad.differences) expect(d.reviewed, d.key).toEqual(expect.any(String));
    },
    CLI_TIMEOUT,
  );

  it(
    "names the file when the LiteLLM JSON is malformed, and changes nothing",
    async () => {
      const file = join(box.home, "broken.json");
      writeFileSync(file, "{ not json");
      const r = await runCli(["prices", "audit", "--litellm", file], { env: box.env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(file);
    },
    CLI_TIMEOUT,
  );
});

describe.concurrent("prices lookup", () => {
  it(
    "finds a custom provider's config price without --provider",
    async () => {
      const config = join(box.home, "custom.yaml");
      writeFileSync(config, 'prices:\n  acme/m-big:\n    input: "1"\n    output: "3"\n');
      const r = await runCli(["--config", config, "prices", "lookup", "m-big", "--json"], { env: box.env });
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toMatchObject({ provider: "acme", origin: "override", costUsd: "4" });
    },
    CLI_TIMEOUT,
  );

  it(
    "shows the effective rate after the regional multiplier and cites an address, not a reference number",
    async () => {
      const r = await runCli(
        [
          "prices",
          "lookup",
          "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
          "--input",
          "100000",
          "--output",
          "0",
        ],
        { env: box.env },
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/effective rates \(USD\/MTok, regional ×1\.1\): input 3\.3,/);
      expect(r.stdout).toMatch(/source: https:\/\/aws\.amazon\.com\/bedrock\/pricing/);
      expect(r.stdout).not.toMatch(/reference B\./);
    },
    CLI_TIMEOUT,
  );
});

describe.concurrent("prices reprice", () => {
  it(
    "shows before/after totals with --dry-run without writing, and names a bad flag",
    async () => {
      const config = join(box.home, "reprice.yaml");
      writeFileSync(config, 'prices:\n  acme/m-big:\n    input: "1"\n    output: "3"\n');
      const r = await runCli(["--config", config, "prices", "reprice", "--dry-run", "--json"], {
        env: box.env,
      });
      expect(r.stderr).toBe("");
      // m-big: 1,000,000 input (cache reads at the input rate) × $1 + 50,000 output × $3 = $1.15, newly priced.
      // The seeded gpt-4o event stored $0.0001 for 10 in / 5 out; today's price is 10 × 2.5 + 5 × 10 per 1M = $0.000075.
      expect(JSON.parse(r.stdout)).toMatchObject({
        dryRun: true,
        scanned: 7,
        changed: 2,
        newlyPriced: 1,
        beforeUsd: "0.0001",
        afterUsd: "1.150075",
      });
      const bad = await runCli(["prices", "reprice", "--dryrun"], { env: box.env });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/unknown option '--dryrun'/);
    },
    CLI_TIMEOUT,
  );
});

describe("freshness", () => {
  it("is stale after 90 days from the catalog's stated date", () => {
    expect(catalogFreshness(new Date("2026-12-15T00:00:00Z"), "2026-12-01")).toEqual({
      updated: "2026-12-01",
      ageDays: 14,
      stale: false,
    });
    expect(catalogFreshness(new Date("2027-03-15T00:00:00Z"), "2026-12-01").stale).toBe(true);
  });

  it("turns a price's source text into addresses a user can open", () => {
    expect(sourceUrls("OpenAI API pricing (openai.com/api/pricing); reference B.4")).toEqual([
      "https://openai.com/api/pricing",
    ]);
    expect(sourceUrls("https://aws.amazon.com/bedrock/pricing/ (via @pydantic/genai-prices 0.1.8)")).toEqual([
      "https://aws.amazon.com/bedrock/pricing/",
    ]);
  });
});
