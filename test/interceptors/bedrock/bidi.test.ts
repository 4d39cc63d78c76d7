import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvokeModelWithBidirectionalStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { chunk, type Frame } from "../../helpers/bedrock-server.js";
import { bytesText, drain, harness, newClient, type Harness } from "./setup.js";

// Nova Sonic speech-to-speech over InvokeModelWithBidirectionalStream (HTTP/2, event streams both ways): the real
// SDK against the local fake, which answers once the application ends its input stream.
const SONIC = "amazon.nova-sonic-v1:0";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.storage.stored.length = 0;
});

const enc = (event: unknown) => ({ chunk: { bytes: new TextEncoder().encode(JSON.stringify({ event })) } });
async function* input() {
  yield enc({ sessionStart: { inferenceConfiguration: { maxTokens: 1024 } } });
  yield enc({ sessionEnd: {} });
}
const usageEvent = (speechIn: number, textIn: number, speechOut: number, textOut: number) =>
  chunk({
    event: {
      usageEvent: {
        completionId: "c-1",
        sessionId: "s-1",
        details: {
          total: {
            input: { speechTokens: speechIn, textTokens: textIn },
            output: { speechTokens: speechOut, textTokens: textOut },
          },
        },
        totalInputTokens: speechIn + textIn,
        totalOutputTokens: speechOut + textOut,
        totalTokens: speechIn + textIn + speechOut + textOut,
      },
    },
  });
const session = () =>
  newClient(h.server).send(new InvokeModelWithBidirectionalStreamCommand({ modelId: SONIC, body: input() }));

describe("InvokeModelWithBidirectionalStream (Nova Sonic)", () => {
  it("one event per session with the LAST cumulative usageEvent: speech as audio buckets, text as text", async () => {
    const frames: Frame[] = [
      chunk({ event: { textOutput: { content: "Hi" } } }),
      usageEvent(400, 100, 200, 20),
      chunk({ event: { audioOutput: { content: "AAAA" } } }),
      usageEvent(1000, 200, 500, 50),
      chunk({ event: { completionEnd: {} } }),
    ];
    h.server.handle(() => ({ type: "stream", frames }));
    const response = await session();
    const items = await drain(response.body);
    expect(items.map((i) => JSON.parse(bytesText(i)).event)).toHaveLength(5); // the caller's events, untouched
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(h.server.requests.at(-1)?.operation).toBe("invoke-with-bidirectional-stream");
    expect(events[0]).toMatchObject({
      provider: "bedrock",
      operation: "invoke",
      model: SONIC,
      streamed: true,
      status: "ok",
      usageSource: "provider",
      // text in 200 × 0.06 + speech in 1000 × 3.4 + text out 50 × 0.24 + speech out 500 × 13.6 = 10,224 / 1M
      costUsd: "0.010224",
    });
    expect(events[0]!.usage).toMatchObject({
      uncachedInputTokens: 1200,
      inputAudioTokens: 1000,
      outputTokens: 550,
      outputAudioTokens: 500,
    });
    expect(events[0]!.timeToFirstTokenMs).not.toBeNull();
  });

  it("a session with no usageEvent is still one event, usage missing (never invented)", async () => {
    h.server.handle(() => ({
      type: "stream",
      frames: [chunk({ event: { textOutput: { content: "Hi" } } })],
    }));
    await drain((await session()).body);
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "ok", usageSource: "missing", costUsd: null });
  });
});
