import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenLedgerConfigError } from "tokenledger";
import { failover } from "tokenledger/failover";
import { startFaultyUpstream, type FaultyUpstream } from "../helpers/faulty-upstream.js";
import { require } from "../interceptors/openai/support.js";

let primary: FaultyUpstream;
let fallback: FaultyUpstream;
beforeAll(async () => {
  primary = await startFaultyUpstream("openai", "primary");
  fallback = await startFaultyUpstream("openai", "fallback");
});
afterAll(async () => {
  await primary.close();
  await fallback.close();
});
const messages = [{ role: "user" as const, content: "Hi" }];

describe("the request seam on other SDK majors", () => {
  it("openai 5: a 500 primary fails over, and a stream is still the SDK's Stream", async () => {
    const { OpenAI } = require("openai-v5");
    const { Stream } = require("openai-v5/streaming");
    primary.mode = "500";
    const client = failover({
      name: "v5",
      record: () => undefined,
      targets: [
        { provider: "openai", client: new OpenAI({ apiKey: "a", baseURL: primary.baseURL }) },
        { provider: "openai-compatible", client: new OpenAI({ apiKey: "b", baseURL: fallback.baseURL }) },
      ],
    });
    const res = await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(res.choices[0].message.content).toBe("answer from fallback");
    const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    expect(stream).toBeInstanceOf(Stream);
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
    expect(text).toContain("fallback-6");
  });

  it("openai 4 (no withOptions) is refused at configuration time, naming the field", () => {
    const { OpenAI } = require("openai-v4");
    expect(() =>
      failover({
        name: "v4",
        targets: [{ provider: "openai", client: new OpenAI({ apiKey: "a", baseURL: primary.baseURL }) }],
      }),
    ).toThrow(TokenLedgerConfigError);
    expect(() =>
      failover({
        name: "v4",
        targets: [{ provider: "openai", client: new OpenAI({ apiKey: "a", baseURL: primary.baseURL }) }],
      }),
    ).toThrow("targets[0].client: not a supported SDK client");
  });
});
