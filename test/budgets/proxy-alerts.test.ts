/**
 * `tokenledger proxy` delivers budget alerts to the channels of the config file's `alerts:` (before, its guard had
 * no channels and sent nothing): one proxied call crossing 50% gives exactly one signed webhook.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifySignature } from "tokenledger";
import { channelsFromConfig } from "../../src/budgets/alerts/config.js";
import { startAnthropicServer, type AnthropicServer } from "../helpers/anthropic-server.js";
import { startProxyCli, streamedMessageThrough } from "../helpers/proxy-cli.js";
import { sandbox } from "../helpers/cli.js";
import { startReceiver } from "./receiver.js";

let upstream: AnthropicServer;
beforeAll(async () => (upstream = await startAnthropicServer()));
afterAll(() => upstream?.close());

describe("alert channels from the config file", () => {
  it("a proxied call crossing a threshold delivers exactly one signed webhook", async () => {
    const box = sandbox();
    const receiver = await startReceiver();
    mkdirSync(join(box.env.XDG_CONFIG_HOME!, "tokenledger"), { recursive: true });
    // One call costs $0.001773 (321 in × $3/M + 54 out × $15/M): 89% of $0.002, past 50% once.
    writeFileSync(
      join(box.env.XDG_CONFIG_HOME!, "tokenledger", "config.yaml"),
      [
        "budgets:",
        "  - { id: org-day, scope: org, period: day, amountUsd: '0.002', action: notify, thresholds: [50] }",
        "alerts:",
        `  webhooks: [{ url: "${receiver.url}", secretEnv: HOOK_SECRET }]`,
        "",
      ].join("\n"),
    );
    const proxy = await startProxyCli(upstream.url, { ...box.env, HOOK_SECRET: "s3cret" });
    try {
      await streamedMessageThrough(upstream, proxy.url);
      await streamedMessageThrough(upstream, proxy.url); // past 100% now, but 50 is the only threshold: nothing more to send
      proxy.child.kill("SIGTERM");
      expect(await proxy.closed).toBe(0);
    } finally {
      if (proxy.child.exitCode === null) proxy.child.kill("SIGKILL");
      await receiver.close();
    }
    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    expect(verifySignature("s3cret", hook!.body, hook!.signature!)).toBe(true);
    expect(JSON.parse(hook!.body)).toMatchObject({ budget_id: "org-day", threshold: 50, limit_usd: "0.002" });
    expect(proxy.stderr()).not.toContain("s3cret");
  }, 60_000);

  it("refuses a channel whose secret variable is unset, or plain http to another host, naming the field", () => {
    expect(() =>
      channelsFromConfig({ webhooks: [{ url: "https://h.example/x", secretEnv: "NOPE" }] }, {}),
    ).toThrow("alerts.webhooks[0].secretEnv: environment variable NOPE is not set");
    expect(() => channelsFromConfig({ slack: [{ urlEnv: "S" }] }, { S: "http://hooks.example/x" })).toThrow(
      /^alerts\.slack\[0\]: slack\.url: plain http to hooks\.example/,
    );
    const two = channelsFromConfig(
      {
        webhooks: [
          { url: "http://127.0.0.1:1/a", secretEnv: "K" },
          { url: "http://127.0.0.1:1/b", secretEnv: "K" },
        ],
      },
      { K: "k" },
    );
    expect(two.map((c) => c.name)).toEqual(["webhook", "webhook-2"]);
  });
});
