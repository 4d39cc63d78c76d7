import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { TokenLedgerConfigError } from "tokenledger";
import { failoverFromConfig, groupOf } from "tokenledger/failover";
import { validateConfig } from "../../src/config/load.js";
import { startFaultyUpstream, type FaultyUpstream } from "../helpers/faulty-upstream.js";
import { require } from "../interceptors/openai/support.js";

const { OpenAI } = require("openai");

const YAML = `
failover:
  groups:
    chat-main:
      targets:
        - { provider: openai, model: gpt-4o, client: direct }
        - { provider: azure, model: gpt-4o-eu, client: azure-eu }
      policy:
        firstByteTimeoutMs: 2000
        cooldownMs: 10000
`;

let a: FaultyUpstream;
let b: FaultyUpstream;
beforeAll(async () => {
  a = await startFaultyUpstream("openai", "direct");
  b = await startFaultyUpstream("openai", "azure-eu");
});
afterAll(async () => {
  await a.close();
  await b.close();
});

describe("failover groups in tokenledger.config.yaml", () => {
  it("a config file with a failover section validates, and failoverFromConfig builds the group from it", async () => {
    const config = validateConfig(parse(YAML), "tokenledger.config.yaml");
    const client = failoverFromConfig(config.failover, "chat-main", {
      record: () => undefined,
      clients: {
        direct: new OpenAI({ apiKey: "a", baseURL: a.baseURL }),
        "azure-eu": new OpenAI({ apiKey: "b", baseURL: b.baseURL }),
      },
    }) as InstanceType<typeof OpenAI>;
    a.mode = "500";
    const res = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "x" }],
    });
    expect(res.choices[0]?.message.content).toBe("answer from azure-eu");
    expect(b.models).toEqual(["gpt-4o-eu"]);
    expect(groupOf(client)?.policy).toMatchObject({ firstByteTimeoutMs: 2000, cooldownMs: 10000 });
  });

  it("a config file refuses an unknown provider, mixed formats and a bad timeout, naming the field", () => {
    const bad = (yaml: string): string => {
      try {
        validateConfig(parse(yaml), "tl.yaml");
      } catch (e) {
        expect(e).toBeInstanceOf(TokenLedgerConfigError);
        return (e as Error).message;
      }
      throw new Error("accepted");
    };
    expect(bad(YAML.replace("provider: azure", "provider: azzure"))).toContain(
      "failover.groups.chat-main.targets[1].provider is not a known provider",
    );
    expect(bad(YAML.replace("provider: azure", "provider: anthropic"))).toContain(
      "failover.groups.chat-main.targets[1].provider speaks the anthropic wire format",
    );
    expect(bad(YAML.replace("firstByteTimeoutMs: 2000", "firstByteTimeoutMs: 0"))).toContain(
      "failover.groups.chat-main.policy.firstByteTimeoutMs must be a positive number of ms",
    );
  });

  it("failoverFromConfig names a client key that was not passed, and an unknown group", () => {
    const config = validateConfig(parse(YAML), "tl.yaml");
    expect(() =>
      failoverFromConfig(config.failover, "chat-main", { clients: { direct: new OpenAI({ apiKey: "a" }) } }),
    ).toThrow(
      'failover.groups.chat-main.targets[1].client: "azure-eu" is not among the clients passed in code',
    );
    expect(() => failoverFromConfig(config.failover, "nope", { clients: {} })).toThrow(
      'failover.groups: no group "nope" (defined: chat-main)',
    );
  });
});
