import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, sandbox, type Sandbox } from "../helpers/cli.js";
import { seedLedger } from "./seed.js";

let box: Sandbox;
beforeAll(async () => {
  box = sandbox();
  await seedLedger(box.ledger, [
    {
      at: "2026-11-01T10:00:00Z",
      teamId: "eng",
      userId: 'ana "the" dev, sr',
      usage: { uncachedInputTokens: 1000, outputTokens: 500 },
      costUsd: "0.0075",
    },
    {
      at: "2026-11-02T10:00:00Z",
      teamId: "ops",
      usage: { uncachedInputTokens: 10, outputTokens: 5 },
      costUsd: "0.0001",
    },
    {
      at: "2026-11-03T10:00:00Z",
      provider: "acme",
      model: "m-1",
      usage: { uncachedInputTokens: 7, outputTokens: 3 },
      costUsd: null,
    },
    { at: "2026-11-03T11:00:00Z", provider: "acme", model: "m-1", usage: { outputTokens: 1 }, costUsd: null },
  ]);
});

describe.concurrent("export", () => {
  it("events as CSV to stdout, quoted where needed, filtered by --where", async () => {
    const r = await runCli(["export", "--where", "team=eng"], { env: box.env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]!.split(",").slice(0, 4)).toEqual(["id", "timestamp", "provider", "model"]);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"ana ""the"" dev, sr"');
    expect(lines[1]).toContain("2026-11-01T10:00:00.000Z");
  });

  it("events as JSON Lines into --out, oldest first", async () => {
    const out = join(box.home, "events.jsonl");
    const r = await runCli(["export", "--format", "jsonl", "--out", out], { env: box.env });
    expect(r.stderr).toMatch(/Wrote 4 event\(s\)/);
    const rows = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.map((e) => e.timestamp)).toEqual([
      "2026-11-01T10:00:00.000Z",
      "2026-11-02T10:00:00.000Z",
      "2026-11-03T10:00:00.000Z",
      "2026-11-03T11:00:00.000Z",
    ]);
    expect(rows[0]).toMatchObject({
      costUsd: "0.0075",
      uncachedInputTokens: 1000,
      outputTokens: 500,
      teamId: "eng",
    });
  });

  it("a rollup as CSV with a period column", async () => {
    const r = await runCli(
      ["export", "--what", "rollup", "--group-by", "provider", "--bucket", "month", "--tz", "UTC"],
      { env: box.env },
    );
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]!.startsWith("period,provider,requests,events")).toBe(true);
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 4).join(","))).toEqual(
      expect.arrayContaining(["2026-11,openai,2,2", "2026-11,acme,2,2"]),
    );
  });
});

describe.concurrent("prices", () => {
  it("check lists unpriced models with counts and the config snippet that fixes them", async () => {
    const r = await runCli(["prices", "check", "--json"], { env: box.env });
    const out = JSON.parse(r.stdout);
    expect(out.models).toEqual([
      expect.objectContaining({
        provider: "acme",
        model: "m-1",
        events: 2,
        firstSeen: "2026-11-03T10:00:00.000Z",
      }),
    ]);
    expect(out.configSnippet).toMatch(/prices:\n {2}acme\/m-1:\n {4}input: "0.00"\n {4}output: "0.00"/);
    // The snippet really is a valid config: pasting it with real rates prices that model.
    const config = join(box.home, "fixed.yaml");
    writeFileSync(
      config,
      out.configSnippet.replace('input: "0.00"', 'input: "2"').replace('output: "0.00"', 'output: "8"'),
    );
    const lookup = await runCli(
      [
        "--config",
        config,
        "prices",
        "lookup",
        "m-1",
        "--provider",
        "acme",
        "--input",
        "1000000",
        "--output",
        "500000",
        "--json",
      ],
      { env: box.env },
    );
    expect(lookup.stderr).toBe("");
    expect(JSON.parse(lookup.stdout)).toMatchObject({
      provider: "acme",
      model: "m-1",
      origin: "override",
      costUsd: "6",
    });
  });

  it("lookup tells which entry and rule priced a model", async () => {
    const r = await runCli(["prices", "lookup", "gpt-4o-2024-08-06", "--input", "1000000", "--output", "0"], {
      env: box.env,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /openai\/gpt-4o-2024-08-06 → openai\/gpt-4o-2024-08-06 \(matched by exact, from catalog\)/,
    );
    expect(r.stdout).toMatch(/→ \$2\.50/);
    const none = await runCli(["prices", "lookup", "no-such-model-x"], { env: box.env });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no price for model "no-such-model-x"/);
  });

  it("list filters by provider", async () => {
    const r = await runCli(["prices", "list", "--provider", "anthropic", "--json"], { env: box.env });
    const keys = JSON.parse(r.stdout).prices.map((p: any) => p.key);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k: string) => k.startsWith("anthropic/"))).toBe(true);
  });

  it("import reads a LiteLLM file into the local cache, used by later lookups", async () => {
    const file = join(box.home, "litellm.json");
    writeFileSync(
      file,
      JSON.stringify({
        "acme-pro-7": {
          litellm_provider: "openai",
          mode: "chat",
          input_cost_per_token: 0.000003,
          output_cost_per_token: 0.000015,
        },
      }),
    );
    const r = await runCli(["prices", "import", file, "--json"], { env: box.env });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      imported: 1,
      cachePath: join(box.env.XDG_CACHE_HOME!, "tokenledger", "litellm-prices.json"),
    });
    const lookup = await runCli(["prices", "lookup", "acme-pro-7", "--provider", "openai", "--json"], {
      env: box.env,
    });
    expect(JSON.parse(lookup.stdout)).toMatchObject({ origin: "litellm", costUsd: "18" });
  });
});

describe("db", () => {
  it("status before and after migrate on a new SQLite file", async () => {
    const env = { ...box.env, TOKENLEDGER_DATABASE_URL: join(box.home, "fresh.db") };
    const before = JSON.parse((await runCli(["db", "status", "--json"], { env })).stdout);
    expect(before.applied).toEqual([]);
    expect(before.pending.length).toBeGreaterThan(0);
    const migrated = JSON.parse((await runCli(["db", "migrate", "--json"], { env })).stdout);
    expect(migrated.applied).toEqual(before.pending);
    const after = JSON.parse((await runCli(["db", "status", "--json"], { env })).stdout);
    expect(after).toMatchObject({ applied: before.pending, pending: [] });
  });
});
