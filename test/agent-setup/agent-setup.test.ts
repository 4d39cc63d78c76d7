import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { runCli, sandbox } from "../helpers/cli.js";
import { applyAgentSetup, planAgentSetup } from "../../src/agent-setup/index.js";

const backups = (dir: string) => readdirSync(dir).filter((f) => f.includes(".tokenledger-backup-"));

describe("tokenledger agent setup claude", () => {
  it("prints the env block on stdout and writes nothing without --write", async () => {
    const box = sandbox();
    const r = await runCli(["agent", "setup", "claude"], { env: box.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ env: { ANTHROPIC_BASE_URL: "http://127.0.0.1:4000" } });
    expect(r.stderr).toContain("Not covered:");
    expect(r.stderr).toContain("Bedrock");
    expect(existsSync(join(box.home, ".claude"))).toBe(false);
  });

  it("--write merges into settings.json keeping every other key, backs the old file up, and a second run changes nothing", async () => {
    const box = sandbox();
    const dir = join(box.home, ".claude");
    mkdirSync(dir);
    const original = JSON.stringify(
      {
        model: "opus",
        env: { FOO: "1", ANTHROPIC_BASE_URL: "https://old" },
        permissions: { allow: ["Bash(ls)"] },
      },
      null,
      4,
    );
    writeFileSync(join(dir, "settings.json"), original);
    const args = [
      "agent",
      "setup",
      "claude",
      "--otlp",
      "--proxy-url",
      "http://127.0.0.1:4100/v1/",
      "--write",
    ];
    const first = await runCli(args, { env: box.env });
    expect(first.code, first.stderr).toBe(0);
    const settings = JSON.parse(readFileSync(join(dir, "settings.json"), "utf8"));
    expect(settings).toEqual({
      model: "opus",
      permissions: { allow: ["Bash(ls)"] },
      env: {
        FOO: "1",
        ANTHROPIC_BASE_URL: "http://127.0.0.1:4100",
        CLAUDE_CODE_ENABLE_TELEMETRY: "1",
        OTEL_LOGS_EXPORTER: "otlp",
        OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/protobuf",
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "http://127.0.0.1:4100/v1/logs",
      },
    });
    const [backup] = backups(dir);
    expect(readFileSync(join(dir, backup!), "utf8")).toBe(original);
    expect(first.stderr).toContain(backup!);

    const before = readFileSync(join(dir, "settings.json"), "utf8");
    const second = await runCli(args, { env: box.env });
    expect(second.code).toBe(0);
    expect(second.stderr).toContain("already has these settings; nothing written");
    expect(readFileSync(join(dir, "settings.json"), "utf8")).toBe(before);
    expect(backups(dir)).toHaveLength(1);
  });

  it("a malformed settings.json is a clear error naming the file, and nothing is overwritten", async () => {
    const box = sandbox();
    const dir = join(box.home, ".claude");
    mkdirSync(dir);
    writeFileSync(join(dir, "settings.json"), '{"env": {"A": "1",}');
    const r = await runCli(["agent", "setup", "claude", "--write"], { env: box.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dir, "settings.json"));
    expect(r.stderr).toContain("not valid JSON");
    expect(readFileSync(join(dir, "settings.json"), "utf8")).toBe('{"env": {"A": "1",}');
    expect(backups(dir)).toHaveLength(0);
  });

  it("respects CLAUDE_CONFIG_DIR, and --no-proxy with --otlp leaves the base URL alone", async () => {
    const box = sandbox();
    const dir = join(box.home, "elsewhere");
    const plan = await planAgentSetup("claude", {
      otlp: true,
      proxy: false,
      env: { ...box.env, CLAUDE_CONFIG_DIR: dir },
    });
    expect(plan.file).toBe(join(dir, "settings.json"));
    const out = await applyAgentSetup(plan);
    expect(out).toMatchObject({ changed: true, backup: null });
    const env = JSON.parse(readFileSync(join(dir, "settings.json"), "utf8")).env;
    expect(env.ANTHROPIC_BASE_URL).toBeUndefined();
    expect(env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT).toBe("http://127.0.0.1:4000/v1/logs");
  });

  it("an env that is not an object is refused, naming the file", async () => {
    const box = sandbox();
    mkdirSync(join(box.home, ".claude"));
    writeFileSync(join(box.home, ".claude", "settings.json"), '{"env": ["A=1"]}');
    await expect(planAgentSetup("claude", { env: box.env })).rejects.toThrow(
      /settings\.json: "env" must be an object/,
    );
  });
});

describe("tokenledger agent setup codex", () => {
  const existing = `# my codex config
model = "gpt-5"
model_provider = "azure"

[model_providers.azure]
name = "Azure"
base_url = "https://example.openai.azure.com/openai"
env_key = "AZURE_OPENAI_API_KEY"
wire_api = "responses"

[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-mcp"]

[profiles.fast]
model = "gpt-5-mini"
`;

  it("--write adds a tokenledger provider and selects it, keeping other providers, MCP servers and profiles; idempotent", async () => {
    const box = sandbox();
    const home = join(box.home, "codex-home");
    mkdirSync(home);
    writeFileSync(join(home, "config.toml"), existing);
    const env = { ...box.env, CODEX_HOME: home };
    const first = await runCli(["agent", "setup", "codex", "--write"], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('model_provider was "azure"');
    const config = parse(readFileSync(join(home, "config.toml"), "utf8"));
    expect(config).toEqual({
      model: "gpt-5",
      model_provider: "tokenledger",
      model_providers: {
        azure: {
          name: "Azure",
          base_url: "https://example.openai.azure.com/openai",
          env_key: "AZURE_OPENAI_API_KEY",
          wire_api: "responses",
        },
        tokenledger: {
          name: "OpenAI through tokenledger",
          base_url: "http://127.0.0.1:4000/v1",
          env_key: "OPENAI_API_KEY",
          wire_api: "responses",
        },
      },
      mcp_servers: { docs: { command: "npx", args: ["-y", "docs-mcp"] } },
      profiles: { fast: { model: "gpt-5-mini" } },
    });
    const [backup] = backups(home);
    expect(readFileSync(join(home, backup!), "utf8")).toBe(existing);
    const second = await runCli(["agent", "setup", "codex", "--write"], { env });
    expect(second.stderr).toContain("nothing written");
    expect(backups(home)).toHaveLength(1);
  });

  it("--otlp --no-proxy adds only the [otel] exporter, keeping the selected provider and other [otel] keys", async () => {
    const box = sandbox();
    const home = join(box.home, ".codex");
    mkdirSync(home);
    writeFileSync(join(home, "config.toml"), existing + "\n[otel]\nlog_user_prompt = false\n");
    const plan = await planAgentSetup("codex", { env: box.env, otlp: true, proxy: false });
    await applyAgentSetup(plan);
    const config = parse(readFileSync(join(home, "config.toml"), "utf8")) as Record<string, any>;
    expect(config.model_provider).toBe("azure");
    expect(Object.keys(config.model_providers)).toEqual(["azure"]);
    expect(config.otel).toEqual({
      log_user_prompt: false,
      exporter: { "otlp-http": { endpoint: "http://127.0.0.1:4000/v1/logs", protocol: "binary" } },
    });
  });

  it("prints the TOML to stdout without --write", async () => {
    const box = sandbox();
    const plan = await planAgentSetup("codex", { env: box.env, proxyUrl: "http://127.0.0.1:4555" });
    expect(plan.file).toBe(join(box.home, ".codex", "config.toml"));
    expect(parse(plan.snippet)).toMatchObject({
      model_provider: "tokenledger",
      model_providers: { tokenledger: { base_url: "http://127.0.0.1:4555/v1", wire_api: "responses" } },
    });
  });

  it("a malformed config.toml is an error naming the file and the line; nothing is written", async () => {
    const box = sandbox();
    const home = join(box.home, ".codex");
    mkdirSync(home);
    writeFileSync(join(home, "config.toml"), 'model = "gpt-5"\n[model_providers.x\nbase_url = 1\n');
    const r = await runCli(["agent", "setup", "codex", "--write"], { env: box.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(home, "config.toml"));
    expect(r.stderr).toMatch(/not valid TOML at line 2/);
    expect(readFileSync(join(home, "config.toml"), "utf8")).toBe(
      'model = "gpt-5"\n[model_providers.x\nbase_url = 1\n',
    );
    expect(backups(home)).toHaveLength(0);
  });

  it("bad options are refused with the option named", async () => {
    const box = sandbox();
    await expect(planAgentSetup("codex", { env: box.env, proxy: false })).rejects.toThrow(
      /--no-proxy leaves nothing/,
    );
    await expect(planAgentSetup("codex", { env: box.env, proxyUrl: "localhost:4000" })).rejects.toThrow(
      /--proxy-url "localhost:4000" must be http/,
    );
    await expect(planAgentSetup("codex", { env: box.env, proxyUrl: "not a url" })).rejects.toThrow(
      /--proxy-url "not a url" is not a URL/,
    );
    const r = await runCli(["agent", "setup", "cursor"], { env: box.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown agent "cursor"');
  });
});
