import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAnthropicServer, messageEvents, type AnthropicServer } from "../helpers/anthropic-server.js";
import { startOpenAIServer, type OpenAIFakeServer } from "../helpers/openai-server.js";
import { eventsWhen, startHarness, type Harness } from "./harness.js";

// The proxy records the answer's own id and stop reasons (gen_ai.response.id / finish_reasons), streamed or not.
let anthropic: AnthropicServer;
let openai: OpenAIFakeServer;
let h: Harness;

beforeAll(async () => {
  anthropic = await startAnthropicServer();
  openai = await startOpenAIServer();
  h = await startHarness({ upstreams: { anthropic: anthropic.url, openai: openai.baseURL } });
});
afterAll(async () => {
  await h.close();
  await anthropic.close();
  await openai.close();
});
beforeEach(() => anthropic.reset());

const byOp = async (n: number) => (await eventsWhen(h, n)).slice(-2);

describe("proxy: response id and finish reasons", () => {
  it("Anthropic message id + stop_reason, non-streamed and streamed", async () => {
    const client = new Anthropic({ apiKey: "k", baseURL: h.proxy.url, maxRetries: 0 });
    const ask = {
      model: "claude-haiku-4-5",
      max_tokens: 5,
      messages: [{ role: "user" as const, content: "x" }],
    };
    await client.messages.create(ask);
    anthropic.enqueue({
      kind: "sse",
      events: messageEvents({ start: { input_tokens: 3, output_tokens: 1 }, deltas: [{ output_tokens: 4 }] }),
    });
    await client.messages.stream(ask).finalMessage();
    const [plain, streamed] = await byOp(2);
    for (const e of [plain!, streamed!])
      expect(e).toMatchObject({ responseId: "msg_01XFDUDYJgAACzvnptvVoYEL", finishReasons: ["end_turn"] });
    expect(streamed!.streamed).toBe(true);
  });

  it("OpenAI chat id + finish_reason, non-streamed and streamed (the finish chunk has no usage)", async () => {
    const client = new OpenAI({ apiKey: "k", baseURL: `${h.proxy.url}/v1`, maxRetries: 0 });
    const ask = { model: "gpt-4o", messages: [{ role: "user" as const, content: "hi" }] };
    await client.chat.completions.create(ask);
    const stream = await client.chat.completions.create({ ...ask, stream: true });
    for await (const _ of stream) void _;
    const [plain, streamed] = await byOp(4);
    for (const e of [plain!, streamed!])
      expect(e).toMatchObject({ responseId: "chatcmpl-fake123", finishReasons: ["stop"] });
    expect(streamed!.streamed).toBe(true);
  });

  it("Responses id + status, and the incomplete reason when it stopped early", async () => {
    const client = new OpenAI({ apiKey: "k", baseURL: `${h.proxy.url}/v1`, maxRetries: 0 });
    await client.responses.create({ model: "gpt-5", input: "hi" });
    const stream = await client.responses.create({ model: "incomplete", input: "hi", stream: true });
    for await (const _ of stream) void _;
    const [plain, streamed] = await byOp(6);
    expect(plain).toMatchObject({ responseId: "resp_fake123", finishReasons: ["completed"] });
    expect(streamed).toMatchObject({ responseId: "resp_fake123", finishReasons: ["max_output_tokens"] });
  });
});
