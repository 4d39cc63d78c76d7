import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvokeModelCommand, InvokeModelWithResponseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { anthropicStreamFrames, chunk, defaultHandler, type Reply } from "../../helpers/bedrock-server.js";
import { bytesText, drain, harness, newClient, type Harness } from "./setup.js";

const CLAUDE = "anthropic.claude-3-5-sonnet-20241022-v2:0";
const APP_PROFILE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";

let h: Harness;
beforeAll(async () => {
  h = await harness({ bedrockModelMap: { [APP_PROFILE]: CLAUDE } });
});
afterAll(() => h.close());
beforeEach(() => {
  h.storage.stored.length = 0;
  h.server.handle(defaultHandler);
});

const json = (body: unknown, headers: Record<string, string> = {}): Reply => ({
  type: "json",
  body,
  headers,
});
const invoke = (modelId: string) =>
  newClient(h.server).send(
    new InvokeModelCommand({
      modelId,
      body: JSON.stringify({ prompt: "hi" }),
      contentType: "application/json",
    }),
  );

describe("InvokeModel", () => {
  it("Claude: usage from the native body (cache split), exact cost, and the body is still readable by the caller", async () => {
    h.server.handle(() => ({
      type: "json",
      body: {
        type: "message",
        content: [{ type: "text", text: "Hi" }],
        usage: {
          input_tokens: 1000,
          cache_read_input_tokens: 5000,
          cache_creation_input_tokens: 2000,
          cache_creation: { ephemeral_5m_input_tokens: 1500, ephemeral_1h_input_tokens: 500 },
          output_tokens: 300,
        },
      },
      headers: { "x-amzn-bedrock-input-token-count": "1000", "x-amzn-bedrock-output-token-count": "300" },
    }));
    const out = await invoke(CLAUDE);
    expect(JSON.parse(out.body.transformToString())).toMatchObject({ content: [{ text: "Hi" }] });
    const [e] = await h.flushed();
    expect(e).toMatchObject({
      operation: "invoke",
      streamed: false,
      status: "ok",
      model: CLAUDE,
      requestId: out.$metadata.requestId,
    });
    expect(e?.usage).toMatchObject({
      uncachedInputTokens: 1000,
      cacheReadTokens: 5000,
      cacheWrite5mTokens: 1500,
      cacheWrite1hTokens: 500,
      outputTokens: 300,
    });
    // reference B.5.1 split case: $0.017625
    expect(e?.costUsd).toBe("0.017625");
  });

  it.each([
    [
      "Titan",
      "amazon.titan-text-express-v1",
      { inputTextTokenCount: 12, results: [{ tokenCount: 30, outputText: "x" }] },
      { uncachedInputTokens: 12, outputTokens: 30 },
      "0.0000666",
    ],
    [
      "Llama",
      "meta.llama3-1-70b-instruct-v1:0",
      { generation: "x", prompt_token_count: 100, generation_token_count: 50 },
      { uncachedInputTokens: 100, outputTokens: 50 },
      "0.0001485",
    ],
    [
      "Nova",
      "amazon.nova-pro-v1:0",
      { output: { message: {} }, usage: { inputTokens: 40, outputTokens: 9, cacheReadInputTokenCount: 8 } },
      { uncachedInputTokens: 40, cacheReadTokens: 8, outputTokens: 9 },
      null,
    ],
  ])("%s: usage from the native body", async (_name, modelId, body, buckets, cost) => {
    h.server.handle(() => json(body));
    await invoke(modelId);
    const [e] = await h.flushed();
    expect(e?.usage).toMatchObject(buckets);
    expect(e?.costUsd).toBe(cost);
    expect(e?.unpriced).toBe(cost === null);
  });

  it.each([
    ["Mistral", "mistral.mistral-large-2402-v1:0", { outputs: [{ text: "x", stop_reason: "stop" }] }],
    ["Cohere", "cohere.command-r-plus-v1:0", { text: "x", generation_id: "g", finish_reason: "COMPLETE" }],
  ])(
    "%s: no usage in the body, so the x-amzn-bedrock-*-token-count headers are used",
    async (_name, modelId, body) => {
      h.server.handle(() =>
        json(body, { "x-amzn-bedrock-input-token-count": "21", "x-amzn-bedrock-output-token-count": "7" }),
      );
      await invoke(modelId);
      const [e] = await h.flushed();
      expect(e).toMatchObject({ status: "ok", usageSource: "provider", model: modelId });
      expect(e?.usage).toMatchObject({ uncachedInputTokens: 21, outputTokens: 7, cacheReadTokens: 0 });
    },
  );

  it("no usage anywhere is recorded as missing, never as zero cost", async () => {
    h.server.handle(() => json({ outputs: [{ text: "x" }] }));
    await invoke("mistral.mistral-7b-instruct-v0:2");
    const [e] = await h.flushed();
    expect(e).toMatchObject({ status: "ok", usageSource: "missing", costUsd: null });
  });

  it("an application-inference-profile ARN is priced through bedrockModelMap and kept as requestedModel", async () => {
    await invoke(APP_PROFILE);
    const [e] = await h.flushed();
    expect(e).toMatchObject({ model: CLAUDE, requestedModel: APP_PROFILE, costUsd: "0.0165" });
    expect(h.server.requests.at(-1)?.modelId).toBe(APP_PROFILE);
  });

  it("an unmapped ARN still reads a Claude body by its shape; the model stays the ARN (unpriced, not $0)", async () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/zzz";
    await invoke(arn);
    const [e] = await h.flushed();
    expect(e).toMatchObject({ model: arn, requestedModel: arn, costUsd: null, unpriced: true });
    expect(e?.usage.cacheReadTokens).toBe(5000);
  });

  it("a 400 ValidationException is recorded once with its status", async () => {
    h.server.handle(() => ({
      type: "error",
      status: 400,
      errorType: "ValidationException",
      message: "Malformed input request",
    }));
    await expect(invoke(CLAUDE)).rejects.toMatchObject({ name: "ValidationException" });
    const [e] = await h.flushed();
    expect(e).toMatchObject({
      status: "error",
      httpStatus: 400,
      errorType: "ValidationException",
      errorMessage: "Malformed input request",
    });
  });
});

describe("InvokeModelWithResponseStream", () => {
  const stream = (modelId = CLAUDE, opts?: { abortSignal: AbortSignal }) =>
    newClient(h.server).send(new InvokeModelWithResponseStreamCommand({ modelId, body: "{}" }), opts);

  it("Claude: cumulative usage (never summed), re-yields the untouched chunks, records once", async () => {
    const out = await stream();
    const chunks = await drain(out.body);
    expect(chunks).toHaveLength(7);
    expect(JSON.parse(bytesText(chunks[2]!))).toEqual({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: "Hi" },
    });
    const [e, ...rest] = await h.flushed();
    expect(rest).toHaveLength(0);
    expect(e).toMatchObject({
      operation: "invoke",
      streamed: true,
      status: "ok",
      costUsd: "0.0165",
      requestId: out.$metadata.requestId,
    });
    expect(e?.usage).toMatchObject({
      uncachedInputTokens: 1000,
      cacheReadTokens: 5000,
      cacheWrite5mTokens: 2000,
      outputTokens: 300,
    });
    expect(e?.timeToFirstTokenMs).not.toBeNull();
  });

  it("Llama: the amazon-bedrock-invocationMetrics on the last chunk are the usage", async () => {
    h.server.handle(() => ({
      type: "stream",
      frames: [
        chunk({ generation: "Hel", prompt_token_count: 100, generation_token_count: 1, stop_reason: null }),
        chunk({ generation: "lo", prompt_token_count: null, generation_token_count: 2, stop_reason: null }),
        chunk({
          generation: "",
          prompt_token_count: null,
          generation_token_count: 50,
          stop_reason: "stop",
          "amazon-bedrock-invocationMetrics": {
            inputTokenCount: 100,
            outputTokenCount: 50,
            invocationLatency: 400,
            firstByteLatency: 60,
          },
        }),
      ],
    }));
    await drain((await stream("meta.llama3-1-70b-instruct-v1:0")).body);
    const [e] = await h.flushed();
    expect(e).toMatchObject({ status: "ok", costUsd: "0.0001485" });
    expect(e?.usage).toMatchObject({ uncachedInputTokens: 100, outputTokens: 50 });
  });

  it("Llama cut off mid-stream keeps the running counts as partial usage", async () => {
    h.server.handle(() => ({
      type: "stream",
      frames: [
        chunk({ generation: "Hel", prompt_token_count: 100, generation_token_count: 1 }),
        chunk({ generation: "lo", prompt_token_count: null, generation_token_count: 2 }),
        { kind: "wait", until: 20 },
        { kind: "reset", mode: "drop" },
      ],
    }));
    await drain((await stream("meta.llama3-1-70b-instruct-v1:0")).body);
    const [e] = await h.flushed();
    expect(e).toMatchObject({ status: "error", errorType: "IncompleteStreamError", usageSource: "partial" });
    expect(e?.usage).toMatchObject({ uncachedInputTokens: 100, outputTokens: 2 });
  });

  it("an early break records once as aborted with the partial Claude usage seen so far", async () => {
    const out = await stream();
    let n = 0;
    for await (const c of out.body!) {
      void c;
      if (++n === 3) break;
    }
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "partial" });
    expect(events[0]?.usage).toMatchObject({
      uncachedInputTokens: 1000,
      cacheReadTokens: 5000,
      outputTokens: 1,
    });
  });

  it("an exception event mid-stream reaches the caller unchanged and is recorded once with partial usage", async () => {
    h.server.handle(() => ({
      type: "stream",
      frames: [
        ...anthropicStreamFrames().slice(0, 3),
        { kind: "exception", exceptionType: "throttlingException", payload: { message: "Too many tokens" } },
      ],
    }));
    const out = await stream();
    const err = await drain(out.body).catch((e: unknown) => e);
    expect((err as Error).name).toBe("ThrottlingException");
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "error",
      errorType: "ThrottlingException",
      usageSource: "partial",
    });
  });

  it("an abort mid-stream is recorded as aborted with partial usage", async () => {
    h.server.handle(() => ({
      type: "stream",
      frames: [
        ...anthropicStreamFrames().slice(0, 3),
        { kind: "wait", until: 300 },
        ...anthropicStreamFrames().slice(3),
      ],
    }));
    const ac = new AbortController();
    const out = await stream(CLAUDE, { abortSignal: ac.signal });
    let n = 0;
    await (async () => {
      for await (const c of out.body!) {
        void c;
        if (++n === 2) ac.abort();
      }
    })().catch(() => undefined);
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "partial" });
  });

  it("a garbage chunk is passed through untouched and never throws into the caller's loop", async () => {
    h.server.handle(() => ({
      type: "stream",
      frames: [
        {
          kind: "event",
          eventType: "chunk",
          payload: { bytes: Buffer.from("not json{").toString("base64") },
        },
        ...anthropicStreamFrames(),
      ],
    }));
    const chunks = await drain((await stream()).body);
    expect(bytesText(chunks[0]!)).toBe("not json{");
    const [e] = await h.flushed();
    expect(e).toMatchObject({ status: "ok", costUsd: "0.0165" });
    expect(h.internalErrors.length).toBeGreaterThan(0);
    h.internalErrors.length = 0;
  });
});
