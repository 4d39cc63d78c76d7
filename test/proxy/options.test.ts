import { describe, expect, it } from "vitest";
import { parseKeyFlag } from "../../src/cli/commands/proxy.js";
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
