import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenLedgerConfigError } from "tokenledger";
import { createPricer, defaultLiteLLMCachePath, importLiteLLM } from "../../src/pricing/index.js";
import { keyOf, priceOf, usage } from "./price-helpers.js";

const FIXTURE = new URL("./fixtures/litellm-sample.json", import.meta.url);
const fixtureText = readFileSync(FIXTURE, "utf8");
let dir: string;
let server: Server;
let baseUrl: string;
let releaseSlow: (() => void) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tokenledger-litellm-"));
  server = createServer((req, res) => {
    if (req.url === "/prices.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(fixtureText);
    } else if (req.url === "/slow.json") {
      releaseSlow = () => res.writeHead(200, { "content-type": "application/json" }).end(fixtureText);
    } else {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const million = usage({ uncachedInputTokens: 1_000_000, outputTokens: 1_000_000, tierBasisTokens: 1000 });

describe("importLiteLLM from a file", () => {
  it("converts per-token floats to exact per-million decimal strings and skips sample_spec", async () => {
    const result = await importLiteLLM(FIXTURE.pathname, { cachePath: false });
    const p = (key: string) => result.table.prices.get(key)?.[0];
    expect(p("openai/gpt-4o")).toMatchObject({
      input: "2.5",
      output: "10",
      cacheRead: "1.25",
      batch: { input: "1.25", output: "5" },
      serviceTiers: { priority: { input: "4.25", output: "17" } },
    });
    expect(p("openai/gpt-6-preview")).toMatchObject({ input: "0.3", output: "2.4", cacheRead: "0.03" });
    expect(p("azure/eu/gpt-4o-2024-08-06")).toMatchObject({ input: "2.75", cacheRead: "1.375" });
    expect(p("bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0")).toMatchObject({
      input: "3.3",
      cacheWrite5m: "4.125",
    });
    expect(p("vertex/gemini-2.5-flash")).toMatchObject({ input: "0.3", inputAudio: "1" });
    expect(p("vertex/claude-opus-4-5@20251101")).toMatchObject({ input: "5", output: "25" });
    expect(p("gemini/gemini-2.5-pro")?.tiers).toEqual([
      { aboveTokens: 200000, input: "2.5", output: "15", cacheRead: "0.25" },
    ]);
    expect(p("deepseek/deepseek-chat")).toMatchObject({ input: "0.27", output: "1.1", cacheRead: "0.07" });
    expect(p("openai/text-embedding-3-large")).toMatchObject({ input: "0.13", output: "0" });
    expect(result.table.prices.has("openai/sample_spec")).toBe(false);
    expect(result.imported).toBe(12);
  });

  it("skips entries it cannot price per token, saying why", async () => {
    const result = await importLiteLLM(FIXTURE.pathname, { cachePath: false });
    expect(result.skipped).toEqual([
      { key: "dall-e-3", reason: "mode image_generation is not priced per token" },
      { key: "broken-model", reason: "input_cost_per_token is not a non-negative number" },
      { key: "negative-model", reason: "input_cost_per_token is not a non-negative number" },
      { key: "no-provider", reason: "no litellm_provider" },
    ]);
  });

  it("repairs known data bugs: Claude 1h writes = 2× input, $0 cache rates → provider fallback", async () => {
    const result = await importLiteLLM(FIXTURE.pathname, { cachePath: false });
    expect(result.repaired).toEqual([
      {
        key: "claude-3-haiku-20240307",
        field: "cache_creation_input_token_cost_above_1hr",
        from: "6",
        to: "0.5",
        reason: "1-hour cache write is 2× input for Claude",
      },
      {
        key: "claude-zero-cache-test-20260101",
        field: "cache_read_input_token_cost",
        from: "0",
        to: null,
        reason: "a $0 cache rate is a LiteLLM default, not a price: provider fallback used",
      },
    ]);
    const pricer = createPricer({ litellmCachePath: false });
    pricer.useLiteLLM(result.table);
    // Claude 3 Haiku 1-hour write: $0.50, not LiteLLM's $6. Sonnet 4.5 lacks a 1h rate: 2× input, tier included.
    expect(
      priceOf("anthropic", "claude-3-haiku-20240307", usage({ cacheWrite1hTokens: 1_000_000 }), { pricer }),
    ).toBe("0.5");
    expect(
      priceOf(
        "anthropic",
        "claude-sonnet-4-5",
        usage({ cacheWrite1hTokens: 1_000_000, tierBasisTokens: 1000 }),
        { pricer },
      ),
    ).toBe("6");
    expect(
      priceOf("anthropic", "claude-sonnet-4-5", usage({ cacheWrite1hTokens: 1_000_000 }), { pricer }),
    ).toBe("12");
    // A $0 cache-read rate on a Claude model falls back to 0.1× input, not free.
    expect(
      priceOf("anthropic", "claude-zero-cache-test-20260101", usage({ cacheReadTokens: 1_000_000 }), {
        pricer,
      }),
    ).toBe("0.1");
  });

  it("writes a cache that createPricer uses to fill gaps, under the catalog and overrides", async () => {
    const cachePath = join(dir, "nested", "litellm-prices.json");
    const result = await importLiteLLM(FIXTURE.pathname, { cachePath });
    expect(result.cachePath).toBe(cachePath);
    const pricer = createPricer({
      litellmCachePath: cachePath,
      overrides: { "openai/gpt-4o": { input: "1", output: "2" } },
    });
    expect(keyOf("openai", "gpt-6-preview", { pricer })).toBe("litellm:openai/gpt-6-preview"); // new model
    expect(keyOf("deepseek", "deepseek-chat", { pricer })).toBe("litellm:deepseek/deepseek-chat"); // OpenAI-compatible provider
    expect(keyOf("anthropic", "claude-3-5-sonnet-20241022", { pricer })).toBe(
      "anthropic/claude-3-5-sonnet-20241022",
    ); // catalog fallback
    expect(keyOf("anthropic", "claude-sonnet-4-5-20250929", { pricer })).toBe(
      "anthropic/claude-sonnet-4-5-20250929",
    ); // exact catalog key beats normalized LiteLLM key
    // Gaps only: the curated Claude Opus 4.5 price (via the catalog's alias) wins over LiteLLM's Vertex entry.
    expect(keyOf("vertex", "claude-opus-4-5@20251101", { pricer })).toBe(
      "anthropic/claude-opus-4-5-20251101",
    );
    expect(priceOf("openai", "gpt-4o", million, { pricer })).toBe("3"); // override wins
    expect(priceOf("openai", "gpt-6-preview", million, { pricer })).toBe("2.7");
  });

  it("never replaces a curated entry unless imported with replace, so curated batch and flex rates survive", async () => {
    const doc = {
      // LiteLLM's gpt-5-nano without batch or flex fields, at a different price.
      "gpt-5-nano": {
        litellm_provider: "openai",
        mode: "chat",
        input_cost_per_token: 6e-8,
        output_cost_per_token: 4.4e-7,
      },
      // LiteLLM lists some models at $0: that is not a price.
      "free-lunch": {
        litellm_provider: "openai",
        mode: "chat",
        input_cost_per_token: 0,
        output_cost_per_token: 0,
      },
    };
    const file = join(dir, "gap-fill.json");
    writeFileSync(file, JSON.stringify(doc));
    const gapPath = join(dir, "gap-cache.json");
    const gap = await importLiteLLM(file, { cachePath: gapPath });
    expect(gap.skipped).toContainEqual({
      key: "free-lunch",
      reason: "listed at $0: left unpriced (a $0 price is never imported)",
    });
    const gapPricer = createPricer({ litellmCachePath: gapPath });
    // Curated gpt-5-nano batch: (1M × 0.05 + 1M × 0.4) × 0.5 = 0.225; flex 0.025 + 0.2 = 0.225.
    expect(priceOf("openai", "gpt-5-nano", million, { pricer: gapPricer, batch: true })).toBe("0.225");
    expect(priceOf("openai", "gpt-5-nano", million, { pricer: gapPricer, serviceTier: "flex" })).toBe(
      "0.225",
    );
    expect(priceOf("openai", "free-lunch", million, { pricer: gapPricer })).toBeNull();

    const replacePath = join(dir, "replace-cache.json");
    await importLiteLLM(file, { cachePath: replacePath, replace: true });
    const replacing = createPricer({ litellmCachePath: replacePath });
    expect(keyOf("openai", "gpt-5-nano", { pricer: replacing })).toBe("litellm:openai/gpt-5-nano");
    expect(priceOf("openai", "gpt-5-nano", million, { pricer: replacing })).toBe("0.5");
  });

  it("rejects a corrupt file, naming it", async () => {
    const bad = join(dir, "corrupt.json");
    writeFileSync(bad, '{ "gpt-4o": { "input_cost_per_token": 2.5e-06, ');
    await expect(importLiteLLM(bad, { cachePath: false })).rejects.toThrow(TokenLedgerConfigError);
    await expect(importLiteLLM(bad, { cachePath: false })).rejects.toThrow(
      new RegExp(`LiteLLM price file ${bad} is not valid JSON`),
    );
    const list = join(dir, "list.json");
    writeFileSync(list, "[1, 2]");
    await expect(importLiteLLM(list, { cachePath: false })).rejects.toThrow(
      /expected a JSON object of model entries/,
    );
    await expect(importLiteLLM(join(dir, "missing.json"), { cachePath: false })).rejects.toThrow(
      /missing\.json cannot be read/,
    );
  });

  it("rejects a corrupt cache given explicitly, and ignores a corrupt default cache with a warning", () => {
    const cachePath = join(dir, "bad-cache.json");
    writeFileSync(
      cachePath,
      JSON.stringify({
        format: "tokenledger-litellm-cache",
        version: 1,
        source: "x",
        importedAt: "y",
        prices: { "openai/gpt-4o": { input: "-1", output: "2" } },
      }),
    );
    expect(() => createPricer({ litellmCachePath: cachePath })).toThrow(
      new RegExp(`LiteLLM price cache ${cachePath} is invalid: prices\\["openai/gpt-4o"\\]\\.input`),
    );
    const previous = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(dir, "xdg");
    try {
      const path = defaultLiteLLMCachePath();
      expect(path).toBe(join(dir, "xdg", "tokenledger", "litellm-prices.json"));
      mkdirSync(join(dir, "xdg", "tokenledger"), { recursive: true });
      writeFileSync(path, "not json");
      const pricer = createPricer();
      expect(pricer.warnings[0]).toMatch(/litellm-prices\.json cannot be read.*using the bundled catalog/);
      expect(keyOf("openai", "gpt-4o", { pricer })).toBe("openai/gpt-4o");
    } finally {
      if (previous === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = previous;
    }
  });
});

describe("importLiteLLM from a URL", () => {
  it("downloads from a local HTTP server and caches", async () => {
    const cachePath = join(dir, "from-url.json");
    const result = await importLiteLLM(`${baseUrl}/prices.json`, { cachePath });
    expect(result.imported).toBe(12);
    expect(JSON.parse(readFileSync(cachePath, "utf8"))).toMatchObject({
      format: "tokenledger-litellm-cache",
      source: `${baseUrl}/prices.json`,
    });
  });

  it("reports an HTTP error with the URL and status", async () => {
    await expect(importLiteLLM(`${baseUrl}/nope.json`, { cachePath: false })).rejects.toThrow(
      `LiteLLM price file ${baseUrl}/nope.json could not be downloaded: HTTP 404`,
    );
  });

  it("never blocks pricing: calls during a refresh use the loaded prices, then the new ones", async () => {
    const pricer = createPricer({ litellmCachePath: false });
    const refresh = pricer.refreshLiteLLM(`${baseUrl}/slow.json`, { cachePath: false });
    expect(priceOf("openai", "gpt-6-preview", million, { pricer })).toBeNull();
    expect(priceOf("openai", "gpt-4o", million, { pricer })).toBe("12.5");
    while (!releaseSlow) await new Promise((r) => setTimeout(r, 5));
    releaseSlow();
    await refresh;
    expect(priceOf("openai", "gpt-6-preview", million, { pricer })).toBe("2.7");
  });
});

describe("default cache path", () => {
  it("follows XDG_CACHE_HOME, else ~/.cache", () => {
    expect(defaultLiteLLMCachePath({ XDG_CACHE_HOME: "/var/cache/me" })).toBe(
      "/var/cache/me/tokenledger/litellm-prices.json",
    );
    expect(defaultLiteLLMCachePath({})).toMatch(/\.cache\/tokenledger\/litellm-prices\.json$/);
  });
});
