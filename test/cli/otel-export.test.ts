import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type OtlpReceiver } from "../otel/otlp-receiver.js";
import { runCli, sandbox, type Sandbox } from "../helpers/cli.js";
import { seedLedger } from "./seed.js";

let box: Sandbox;
let receiver: OtlpReceiver;
beforeAll(async () => {
  box = sandbox();
  receiver = await startOtlpReceiver();
  await seedLedger(box.ledger, [
    {
      at: "2026-11-01T10:00:00Z",
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      operation: "messages",
      teamId: "eng",
      latencyMs: 1500,
      usage: { uncachedInputTokens: 100, cacheReadTokens: 900, cacheWrite1hTokens: 50, outputTokens: 40 },
      costUsd: "0.0042",
    },
    {
      at: "2026-11-02T10:00:00Z",
      teamId: "ops",
      usage: { uncachedInputTokens: 10, outputTokens: 5 },
      costUsd: "0.0001",
    },
    {
      at: "2026-10-01T10:00:00Z",
      teamId: "eng",
      usage: { uncachedInputTokens: 1, outputTokens: 1 },
      costUsd: "0.00001",
    },
  ]);
});
afterAll(() => receiver.close());

describe("tokenledger otel export", () => {
  it("replays stored events as GenAI spans with their original times, filtered by range and --where", async () => {
    const r = await runCli(
      [
        "otel",
        "export",
        "--endpoint",
        receiver.url,
        "--since",
        "2026-11-01",
        "--where",
        "team=eng",
        "--header",
        "x-api-key=secret-123",
        "--service-name",
        "ledger-replay",
      ],
      { env: box.env },
    );
    expect(r.stderr).toContain("Exported 1 event(s) as spans.");
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("secret-123");
    const spans = receiver.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.name).toBe("chat claude-sonnet-4-5");
    expect(spans[0]!.attributes).toMatchObject({
      "gen_ai.provider.name": "anthropic",
      "gen_ai.usage.input_tokens": 1050,
      "gen_ai.usage.cache_creation.input_tokens": 50,
      "tokenledger.cost_usd": "0.0042",
      "tokenledger.team": "eng",
    });
    const trace = receiver.requests.find((q) => q.path === "/v1/traces")!;
    expect(trace.headers["x-api-key"]).toBe("secret-123");
    const raw = trace.body.resourceSpans[0].scopeSpans[0].spans[0];
    expect(BigInt(raw.startTimeUnixNano)).toBe(BigInt(Date.parse("2026-11-01T10:00:00Z")) * 1_000_000n);
    expect(BigInt(raw.endTimeUnixNano) - BigInt(raw.startTimeUnixNano)).toBe(1_500_000_000n);
  });

  it("an unreachable collector fails the command with a clear message", async () => {
    const r = await runCli(["otel", "export", "--endpoint", "http://127.0.0.1:9"], { env: box.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/span\(s\) could not be exported to http:\/\/127\.0\.0\.1:9/);
  });

  it("a malformed endpoint or header is rejected, naming the option", async () => {
    const bad = await runCli(["otel", "export", "--endpoint", "collector:4318"], { env: box.env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/endpoint option must be an http:\/\/ or https:\/\/ URL/);
    const header = await runCli(["otel", "export", "--endpoint", receiver.url, "--header", "novalue"], {
      env: box.env,
    });
    expect(header.code).not.toBe(0);
    expect(header.stderr).toMatch(/--header expects name=value/);
  });
});
