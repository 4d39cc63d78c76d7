import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";

let home: string;
const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), "tl-config-"));
  process.env.HOME = home;
  process.env.XDG_CONFIG_HOME = join(home, ".config");
});
afterEach(() => {
  process.env.HOME = saved.HOME;
  process.env.XDG_CONFIG_HOME = saved.XDG_CONFIG_HOME;
});

const VALID = `
database: ./usage.db
timezone: Europe/Paris
defaults:
  period: monthly
  groupBy: [provider]
prices:
  acme/m1: { input: "0.5", output: "1.5" }
subscriptions:
  - name: Claude Max
    provider: anthropic
    seats: 3
    usdPerMonth: 200
    start: 2026-01-01
  - name: Copilot
    tool: copilot
    usdPerMonth: "19.99"
thresholds:
  - period: monthly
    usd: 500
    where: { team: eng }
`;

describe("config file", () => {
  it("is found walking up from cwd and validated; amounts become decimal strings", async () => {
    const project = join(home, "code", "app");
    const deep = join(project, "src", "lib");
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(project, "tokenledger.config.yaml"), VALID);
    const { config, filepath } = await loadConfig(undefined, deep);
    expect(filepath).toBe(join(project, "tokenledger.config.yaml"));
    expect(config.timezone).toBe("Europe/Paris");
    expect(config.subscriptions).toEqual([
      { name: "Claude Max", provider: "anthropic", seats: 3, usdPerMonth: "200", start: "2026-01-01" },
      { name: "Copilot", tool: "copilot", seats: 1, usdPerMonth: "19.99" },
    ]);
    expect(config.defaults).toEqual({ period: "monthly", groupBy: ["provider"] });
  });

  it("falls back to ~/.config/tokenledger/config.yaml, and to nothing", async () => {
    const cwd = join(home, "elsewhere");
    mkdirSync(cwd, { recursive: true });
    expect(await loadConfig(undefined, cwd)).toEqual({ config: {}, filepath: null });
    mkdirSync(join(home, ".config", "tokenledger"), { recursive: true });
    writeFileSync(join(home, ".config", "tokenledger", "config.yaml"), "timezone: Asia/Tokyo\n");
    const found = await loadConfig(undefined, cwd);
    expect(found).toEqual({
      config: { timezone: "Asia/Tokyo" },
      filepath: join(home, ".config", "tokenledger", "config.yaml"),
    });
  });

  it.each([
    ["timezone: Mars/Base\n", /timezone is not a known IANA time zone/],
    [
      "subscriptions:\n  - name: x\n    usdPerMonth: 10\n",
      /subscriptions\[0\] needs exactly one of provider or tool/,
    ],
    [
      "subscriptions:\n  - name: x\n    provider: openai\n    usdPerMonth: -5\n",
      /subscriptions\[0\]\.usdPerMonth must be a non-negative amount/,
    ],
    [
      "subscriptions:\n  - name: x\n    provider: openai\n    usdPerMonth: 5\n    seats: 1.5\n",
      /subscriptions\[0\]\.seats must be a whole number/,
    ],
    [
      "subscriptions:\n  - name: x\n    provider: openai\n    usdPerMonth: 5\n    start: 2026-13-01\n",
      /subscriptions\[0\]\.start must be a real YYYY-MM-DD date/,
    ],
    [
      "subscriptions:\n  - name: x\n    provider: openai\n    usdPerMonth: 5\n    start: 2026-05-01\n    end: 2026-04-01\n",
      /subscriptions\[0\]\.end end is before start/,
    ],
    ["defaults:\n  groupBy: [team, region]\n", /defaults\.groupBy\[1\] must be one of provider, model/],
    [
      "thresholds:\n  - period: yearly\n    usd: 5\n",
      /thresholds\[0\]\.period must be daily, weekly or monthly/,
    ],
    ["timezone: UTC\ncolour: true\n", /unknown key "colour"/],
  ])("rejects %j naming the file, key path and reason", async (yaml, message) => {
    const file = join(home, "tokenledger.config.yaml");
    writeFileSync(file, yaml);
    const error = await loadConfig(file).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message.startsWith(`${file}: `)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it("a YAML syntax error gives the line", async () => {
    const file = join(home, "tokenledger.config.yaml");
    writeFileSync(file, "timezone: UTC\nsubscriptions: [\n");
    await expect(loadConfig(file)).rejects.toThrow(
      new RegExp(`^${file}: invalid YAML at line \\d+, column \\d+`),
    );
  });
});
