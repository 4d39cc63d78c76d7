/**
 * `tokenledger serve --proxy --otel-endpoint` and `tokenledger proxy` with `OTEL_EXPORTER_OTLP_ENDPOINT`: a call
 * through the proxy arrives at a local OTLP collector stand-in as a GenAI span (and metrics), exported on shutdown.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAnthropicServer, type AnthropicServer } from "../helpers/anthropic-server.js";
import { startProxyCli, streamedMessageThrough } from "../helpers/proxy-cli.js";
import { runCli, sandbox } from "../helpers/cli.js";
import { startServeCli } from "../server/serve-cli.js";
import { startOtlpReceiver, type OtlpReceiver } from "./otlp-receiver.js";

let upstream: AnthropicServer;
let collector: OtlpReceiver;
beforeAll(async () => {
  upstream = await startAnthropicServer();
  collector = await startOtlpReceiver();
});
afterAll(async () => {
  await upstream?.close();
  await collector?.close();
});

const callThrough = (base: string, model: string) => streamedMessageThrough(upstream, base, model);

const spanFor = (model: string) =>
  collector.spans().find((s) => s.attributes["gen_ai.request.model"] === model);

describe("OTLP export from long-running commands", () => {
  it("serve --proxy --otel-endpoint exports the proxied call's span on SIGTERM", async () => {
    const box = sandbox();
    const serve = await startServeCli(
      ["--proxy", "--upstream-anthropic", upstream.url, "--otel-endpoint", collector.url],
      box.env,
    );
    try {
      await callThrough(serve.url, "claude-sonnet-4-6");
      expect(await serve.stop()).toBe(0);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill("SIGKILL");
    }
    const span = spanFor("claude-sonnet-4-6");
    expect(span).toMatchObject({
      name: "chat claude-sonnet-4-6",
      attributes: {
        "gen_ai.provider.name": "anthropic",
        "gen_ai.usage.input_tokens": 321,
        "gen_ai.usage.output_tokens": 54,
      },
    });
    expect(collector.metrics().has("gen_ai.client.token.usage")).toBe(true);
  }, 120_000);

  it("proxy exports with only OTEL_EXPORTER_OTLP_ENDPOINT set", async () => {
    const box = sandbox();
    const { child, url, closed } = await startProxyCli(upstream.url, {
      ...box.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    });
    try {
      await callThrough(url, "claude-haiku-4-5");
      child.kill("SIGTERM");
      expect(await closed).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(spanFor("claude-haiku-4-5")?.attributes["gen_ai.provider.name"]).toBe("anthropic");
  }, 120_000);

  it("a malformed --otel-endpoint is a setup error naming the option, before anything listens", async () => {
    const box = sandbox();
    const r = await runCli(["proxy", "--port", "0", "--otel-endpoint", "not a url"], { env: box.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("not a URL");
    expect(r.stderr).not.toContain("listening");
  }, 60_000);
});
