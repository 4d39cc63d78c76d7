import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { parseKeyFlag, parseUpstreamFlag } from "../../src/cli/commands/proxy.js";
import { createProxy } from "../../src/proxy/index.js";
import { startScriptedUpstream } from "./scripted-upstream.js";
import { eventsWhen, startHarness } from "./harness.js";
import { resolveUpstream } from "../../src/proxy/options.js";
import { clientFromUserAgent } from "../../src/proxy/client-name.js";
import { upstreamRequestHeaders } from "../../src/proxy/headers.js";

describe("proxy options: bad input names the option and why", () => {
  it("--key needs <id>=<field>:<value>,...", () => {
    expect(parseKeyFlag("ci=user:bot,team:infra")).toEqual(["ci", { userId: "bot", teamId: "infra" }]);
    expect(() => parseKeyFlag("ci")).toThrow(/--key "ci": expected <key-id>=/);
    expect(() => parseKeyFlag("ci=owner:bob")).toThrow(
      /--key "ci": "owner:bob" is not <field>:<value> \(fields: user, team/,
    );
  });

  it("upstream URLs: must be http(s), no credentials; a trailing /v1 is not doubled", () => {
    expect(resolveUpstream("http://127.0.0.1:8080/v1/", "--upstream-openai")).toEqual({
      origin: "http://127.0.0.1:8080",
      basePath: "",
    });
    expect(resolveUpstream("https://x.openai.azure.com/openai", "--upstream-openai").basePath).toBe(
      "/openai",
    );
    expect(() => resolveUpstream("api.openai.com", "--upstream-openai")).toThrow(
      /--upstream-openai: "api.openai.com" is not a URL/,
    );
    expect(() => resolveUpstream("ftp://h", "--upstream-anthropic")).toThrow(/must be http/);
    expect(() => resolveUpstream("https://u:p@h", "--upstream-openai")).toThrow(/credentials in the URL/);
  });
});

describe("per-route upstreams", () => {
  const sink = { record: () => {}, reportInternalError: () => {}, reportAnomaly: () => {} };

  it("--upstream <route>=<url>: an unknown route or a bad pair is refused, naming it", () => {
    expect(parseUpstreamFlag("embeddings=http://127.0.0.1:1")).toEqual(["embeddings", "http://127.0.0.1:1"]);
    expect(() => parseUpstreamFlag("embeddings")).toThrow(/--upstream "embeddings": expected <route>=<url>/);
    expect(() => createProxy({ sink, upstreams: { routes: { images: "http://127.0.0.1:1" } } })).toThrow(
      /--upstream images=: unknown route "images" \(known: messages, count_tokens, chat, responses, embeddings\)/,
    );
  });

  it("embeddings go to their own upstream; chat to the OpenAI default; the provider name follows the host", async () => {
    const main = await startScriptedUpstream();
    const embed = await startScriptedUpstream();
    const json = (usage: object) => (_r: unknown, res: ServerResponse) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ model: "m", usage }));
    };
    main.answer = json({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    embed.answer = json({ prompt_tokens: 9, total_tokens: 9 });
    const h = await startHarness({ upstreams: { openai: main.url, routes: { embeddings: embed.url } } });
    try {
      for (const path of ["/v1/chat/completions", "/v1/embeddings"]) {
        const r = await fetch(`${h.proxy.url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "m", input: "x", messages: [] }),
        });
        await r.text();
      }
      expect(main.received.map((r) => r.path)).toEqual(["/v1/chat/completions"]);
      expect(embed.received.map((r) => r.path)).toEqual(["/v1/embeddings"]);
      const events = await eventsWhen(h, 2);
      expect(events.map((e) => [e.operation, e.usage.uncachedInputTokens]).sort()).toEqual([
        ["chat", 3],
        ["embeddings", 9],
      ]);
    } finally {
      await h.close();
      await main.close();
      await embed.close();
    }
  });
});

describe("what the proxy reads from requests", () => {
  it("names the client from its user-agent", () => {
    expect(clientFromUserAgent("claude-cli/2.0.14 (external, cli)")).toBe("claude-code");
    expect(clientFromUserAgent("codex_cli_rs/0.162.0 (Linux 6.1; x86_64)")).toBe("codex");
    expect(clientFromUserAgent("OpenAI/JS 6.1.0")).toBe("openai-sdk-js");
    expect(clientFromUserAgent("something-else/1")).toBeNull();
  });

  it("forwards every end-to-end header in order and case, dropping hop-by-hop, host and x-tokenledger-*", () => {
    const raw = [
      "Host",
      "127.0.0.1:4000",
      "Authorization",
      "Bearer sk-x",
      "anthropic-beta",
      "a,b",
      "Connection",
      "keep-alive, X-Drop-Me",
      "X-Drop-Me",
      "1",
      "X-TokenLedger-User",
      "alice",
      "Content-Length",
      "10",
      "x-api-key",
      "k",
    ];
    const headers = { connection: "keep-alive, X-Drop-Me" };
    expect(upstreamRequestHeaders(raw, headers)).toEqual([
      "Authorization",
      "Bearer sk-x",
      "anthropic-beta",
      "a,b",
      "x-api-key",
      "k",
    ]);
  });
});
