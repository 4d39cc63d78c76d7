import { describe, expect, it } from "vitest";
import { TokenLedgerConfigError } from "tokenledger";
import { failover } from "tokenledger/failover";
import { require } from "../interceptors/openai/support.js";

const { OpenAI } = require("openai");
const { Anthropic } = require("@anthropic-ai/sdk");
const oa = new OpenAI({ apiKey: "sk-x", baseURL: "http://127.0.0.1:9/v1" });
const an = new Anthropic({ apiKey: "sk-ant-x", baseURL: "http://127.0.0.1:9" });

function refused(options: unknown): string {
  try {
    failover(options as never);
  } catch (e) {
    expect(e).toBeInstanceOf(TokenLedgerConfigError);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

describe("failover() refuses bad groups at configuration time, naming the field", () => {
  it("a group mixing wire formats", () => {
    const msg = refused({
      name: "mixed",
      targets: [
        { provider: "openai", client: oa },
        { provider: "anthropic", client: an },
      ],
    });
    expect(msg).toContain('failover group "mixed": targets[1].provider');
    expect(msg).toContain("anthropic wire format");
  });

  it("an unknown provider", () => {
    expect(refused({ name: "g", targets: [{ provider: "opneai", client: oa }] })).toContain(
      'targets[0].provider: unknown provider "opneai"',
    );
  });

  it("a missing client, or an object that is not an SDK client", () => {
    expect(refused({ name: "g", targets: [{ provider: "openai" }] })).toContain("targets[0].client: missing");
    expect(refused({ name: "g", targets: [{ provider: "openai", client: {} }] })).toContain(
      "targets[0].client: not a supported SDK client",
    );
  });

  it("a timeout or cooldown that is not a positive number", () => {
    const targets = [{ provider: "openai", client: oa }];
    for (const bad of [0, -5, Number.NaN, "5000"]) {
      expect(refused({ name: "g", targets, policy: { firstByteTimeoutMs: bad } })).toContain(
        'failover group "g".policy.firstByteTimeoutMs: must be a positive number',
      );
    }
    expect(refused({ name: "g", targets, policy: { cooldownMs: 60_000, maxCooldownMs: 1_000 } })).toContain(
      "policy.maxCooldownMs",
    );
    expect(refused({ name: "g", targets, policy: { errorRate: 5 } })).toContain("policy.errorRate");
    expect(refused({ name: "g", targets, policy: { whenAllOpen: "retry" } })).toContain("policy.whenAllOpen");
  });

  it("no targets, or no name", () => {
    expect(refused({ name: "g", targets: [] })).toContain("targets must list at least one target");
    expect(refused({ targets: [{ provider: "openai", client: oa }] })).toContain(
      "name must be a non-empty string",
    );
  });

  it("accepts OpenAI ↔ OpenAI-compatible and Anthropic ↔ Bedrock/Vertex Anthropic groups", () => {
    expect(() =>
      failover({
        name: "ok-openai",
        targets: [
          { provider: "openai", client: oa },
          { provider: "openai-compatible", client: oa },
        ],
      }),
    ).not.toThrow();
    expect(() =>
      failover({
        name: "ok-anthropic",
        targets: [
          { provider: "anthropic", client: an },
          { provider: "bedrock-anthropic", client: an },
        ],
      }),
    ).not.toThrow();
  });
});
