import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { UsageEventInput } from "tokenledger";
import { failover, groupOf } from "tokenledger/failover";
import { startFaultyUpstream, type FaultyUpstream } from "../helpers/faulty-upstream.js";
import { require } from "../interceptors/openai/support.js";

const { Anthropic } = require("@anthropic-ai/sdk");
const { MessageStream } = require("@anthropic-ai/sdk/lib/MessageStream");

let direct: FaultyUpstream;
let second: FaultyUpstream;
const recorded: UsageEventInput[] = [];
const messages = [{ role: "user" as const, content: "Hi" }];

beforeAll(async () => {
  direct = await startFaultyUpstream("anthropic", "direct");
  second = await startFaultyUpstream("anthropic", "second");
});
afterAll(async () => {
  await direct.close();
  await second.close();
});
beforeEach(() => {
  recorded.length = 0;
  for (const u of [direct, second]) {
    u.mode = "ok";
    u.hits = 0;
  }
});

function group(name: string) {
  return failover({
    name,
    record: (e) => void recorded.push(e),
    targets: [
      {
        provider: "anthropic",
        client: new Anthropic({ apiKey: "sk-ant-a", baseURL: direct.baseURL }),
      },
      {
        provider: "vertex-anthropic",
        model: "claude-sonnet-4-5@20250929",
        client: new Anthropic({ apiKey: "sk-ant-b", baseURL: second.baseURL }),
      },
    ],
  }) as InstanceType<typeof Anthropic>;
}

describe("Anthropic groups", () => {
  it("529 overloaded_error fails over; messages.create answers from the next target", async () => {
    direct.mode = "529";
    const client = group("anthropic-overloaded");
    const msg = await client.messages.create({ model: "claude-fake-1", max_tokens: 10, messages });
    expect(msg.content[0]).toMatchObject({ text: "answer from second" });
    expect(direct.hits).toBe(1); // the SDK's own retries (2 by default) are off
    expect(second.models).toEqual(["claude-sonnet-4-5@20250929"]);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ provider: "anthropic", httpStatus: 529, operation: "messages" });
    expect(recorded[0]?.metadata).toMatchObject({ failover: { failedBecause: "overloaded", attempt: 1 } });
  });

  it("messages.stream() keeps its MessageStream helper after a switch", async () => {
    direct.mode = "hang";
    const client = failover({
      name: "anthropic-stream",
      record: () => undefined,
      policy: { firstByteTimeoutMs: 400 },
      targets: [
        { provider: "anthropic", client: new Anthropic({ apiKey: "a", baseURL: direct.baseURL }) },
        { provider: "anthropic", client: new Anthropic({ apiKey: "b", baseURL: second.baseURL }) },
      ],
    }) as InstanceType<typeof Anthropic>;
    const stream = client.messages.stream({ model: "claude-fake-1", max_tokens: 10, messages });
    expect(stream).toBeInstanceOf(MessageStream);
    const final = await stream.finalMessage();
    expect(final.content[0]?.type === "text" && final.content[0].text).toContain("second-4");
    expect(final.usage.output_tokens).toBe(7);
    expect(groupOf(client)?.status()[0]).toMatchObject({
      lastReason: "first_byte_timeout",
      consecutiveFailures: 1,
    });
  });

  it("a stream cut before message_stop is an error for MessageStream, never a final message", async () => {
    direct.mode = "clean-cut";
    const client = group("anthropic-cut");
    const stream = client.messages.stream({ model: "claude-fake-1", max_tokens: 10, messages });
    await expect(stream.finalMessage()).rejects.toThrow(/terminal event|incomplete/);
    expect(second.hits).toBe(0);
    expect(groupOf(client)?.status()[0]).toMatchObject({ lastReason: "stream_cut", errors: 1 });
  });
});
