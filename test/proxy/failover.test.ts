import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { LedgerEvent } from "tokenledger";
import { eventsWhen, startHarness, type Harness } from "./harness.js";
import {
  MESSAGE_DELTA,
  MESSAGE_START,
  TEXT_DELTA,
  sse,
  startScriptedUpstream,
  type ScriptedUpstream,
} from "./scripted-upstream.js";
import type { ProxyFailoverGroup } from "../../src/proxy/options.js";
import { proxyFailoverGroups } from "../../src/proxy/index.js";

const HEADERS = {
  "content-type": "application/json",
  "x-api-key": "sk-ant-test-key-failover",
  "anthropic-version": "2023-06-01",
};
const BODY = JSON.stringify({
  model: "claude-sonnet-4-6",
  max_tokens: 50,
  stream: true,
  messages: [{ role: "user", content: "x" }],
});
const STOP = sse("message_stop", { type: "message_stop" });

/** A port with nothing listening: connecting is refused at once (a dead primary). */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

let requestSeq = 0;
function streams(up: ScriptedUpstream): void {
  // Distinct request ids: the proxy derives the event id from it.
  up.answer = (_r, res) => {
    res.writeHead(200, { "content-type": "text/event-stream", "request-id": `req_${++requestSeq}` });
    res.end(MESSAGE_START + TEXT_DELTA + MESSAGE_DELTA(7) + STOP);
  };
}

const post = (url: string): Promise<Response> =>
  fetch(`${url}/v1/messages`, { method: "POST", headers: HEADERS, body: BODY });

let open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.reverse()) await o.close();
  open = [];
});

async function setup(
  primaryUrl: string,
  secondary: ScriptedUpstream,
  policy: ProxyFailoverGroup["policy"] = {},
): Promise<Harness> {
  const h = await startHarness({
    failover: [
      {
        name: "claude",
        targets: [
          { url: primaryUrl, provider: "anthropic", name: "primary" },
          { url: secondary.url, provider: "anthropic", name: "secondary", model: "claude-haiku-4-5" },
        ],
        policy: { consecutiveFailures: 2, cooldownMs: 60_000, ...policy },
      },
    ],
  });
  open.push(h);
  return h;
}

const note = (e: LedgerEvent): Record<string, unknown> =>
  (e.metadata as { failover: Record<string, unknown> }).failover;

describe("failover in the proxy path", () => {
  it("a dead primary fails over to the secondary before the first byte, with the target's model, recorded once", async () => {
    const secondary = await startScriptedUpstream();
    open.push(secondary);
    streams(secondary);
    const h = await setup(await deadUrl(), secondary);
    const res = await post(h.proxy.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("message_stop");
    expect(JSON.parse(secondary.received[0]!.body.toString()).model).toBe("claude-haiku-4-5");
    expect(secondary.received[0]!.headers["x-api-key"]).toBe(HEADERS["x-api-key"]);
    const events = await eventsWhen(h, 2);
    const ok = events.find((e) => e.status === "ok")!;
    expect(ok.usage.uncachedInputTokens).toBe(321);
    expect(note(ok)).toMatchObject({
      group: "claude",
      requestedTarget: "primary",
      effectiveTarget: "secondary",
      attempt: 2,
      reason: "connection_error",
    });
    const failed = events.find((e) => e.status === "error")!;
    expect(note(failed)).toMatchObject({ effectiveTarget: "primary", failedBecause: "connection_error" });
    expect(failed.usage.uncachedInputTokens).toBe(0);
  });

  it("the primary's breaker opens after its failures: later calls skip it without contacting it", async () => {
    const primary = await startScriptedUpstream();
    const secondary = await startScriptedUpstream();
    open.push(primary, secondary);
    primary.answer = (_r, res) => {
      res.writeHead(529, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "busy" } }));
    };
    streams(secondary);
    const h = await setup(primary.url, secondary);
    for (let i = 0; i < 4; i++) expect((await post(h.proxy.url)).status).toBe(200);
    expect(primary.received).toHaveLength(2); // consecutiveFailures: 2, then open for the cooldown
    expect(secondary.received).toHaveLength(4);
    const events = await eventsWhen(h, 6);
    expect(events.filter((e) => e.status === "ok").map((e) => note(e).reason)).toEqual([
      "overloaded",
      "overloaded",
      "breaker_open",
      "breaker_open",
    ]);
  });

  it("every target open: 503 in Anthropic's error shape with Retry-After, nothing sent", async () => {
    const secondary = await startScriptedUpstream();
    open.push(secondary);
    secondary.answer = (_r, res) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: "error", error: { type: "api_error", message: "down" } }));
    };
    const h = await setup(await deadUrl(), secondary, { consecutiveFailures: 1 });
    const first = await post(h.proxy.url);
    // The last target's own error answer is relayed as is.
    expect(first.status).toBe(500);
    expect(await first.json()).toMatchObject({ error: { message: "down" } });
    const res = await post(h.proxy.url);
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(secondary.received).toHaveLength(1);
  });

  it("no failover after the first byte: a stream cut mid-answer reaches the client cut, the secondary gets nothing", async () => {
    const primary = await startScriptedUpstream();
    const secondary = await startScriptedUpstream();
    open.push(primary, secondary);
    primary.answer = (_r, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(MESSAGE_START + TEXT_DELTA);
      setTimeout(() => res.destroy(), 50);
    };
    streams(secondary);
    const h = await setup(primary.url, secondary);
    const res = await post(h.proxy.url);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(secondary.received).toHaveLength(0);
    const [event] = await eventsWhen(h, 1);
    expect(event!.status).toBe("aborted");
    expect(note(event!)).toMatchObject({ effectiveTarget: "primary", attempt: 1 });
  });

  it("negative control: without the group, the dead primary is a 502", async () => {
    const h = await startHarness({ upstreams: { anthropic: await deadUrl() } });
    open.push(h);
    expect((await post(h.proxy.url)).status).toBe(502);
  });

  it("a group mixing wire formats or naming Bedrock is a setup error naming the target", async () => {
    const bad = (provider: string) =>
      startHarness({
        failover: [
          {
            name: "g",
            targets: [
              { url: "http://127.0.0.1:1", provider: "anthropic" },
              { url: "http://127.0.0.1:2", provider },
            ],
          },
        ],
      });
    await expect(bad("openai")).rejects.toThrow(/targets\[1\]\.provider: speaks openai/);
    await expect(bad("bedrock-anthropic")).rejects.toThrow(/targets\[1\]\.provider: bedrock-anthropic/);
  });
});

describe("failover groups from the config file", () => {
  const section = {
    groups: {
      gpt: {
        targets: [
          { provider: "openai", client: "primary" },
          { provider: "azure", client: "eu", model: "gpt-4o-eu" },
        ],
        policy: { cooldownMs: 1000 },
      },
    },
  };
  it("maps each target's client name to its --failover-target URL", () => {
    const urls = { primary: "https://api.openai.com", eu: "https://eu.example.com/openai" };
    expect(proxyFailoverGroups(section, ["gpt"], urls)).toEqual([
      {
        name: "gpt",
        targets: [
          { url: urls.primary, provider: "openai", name: "primary" },
          { url: urls.eu, provider: "azure", name: "eu", model: "gpt-4o-eu" },
        ],
        policy: { cooldownMs: 1000 },
      },
    ]);
  });
  it("a missing URL or group is an error naming the flag", () => {
    expect(() => proxyFailoverGroups(section, ["gpt"], { primary: "http://x" })).toThrow(
      /targets\[1\]\.client: "eu" has no URL; pass --failover-target eu=<url>/,
    );
    expect(() => proxyFailoverGroups(section, ["nope"], {})).toThrow(/--failover nope: .*defined: gpt/);
  });
});
