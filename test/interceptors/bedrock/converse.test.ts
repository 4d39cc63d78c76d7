import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BedrockRuntime,
  ConverseCommand,
  ConverseStreamCommand,
  type ConverseStreamOutput,
} from "@aws-sdk/client-bedrock-runtime";
import { converseReply, converseStreamFrames, event, type Frame } from "../../helpers/bedrock-server.js";
import { deepFreeze, drain, harness, MESSAGES, newClient, type Harness } from "./setup.js";

const MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0";
const B55 = {
  uncachedInputTokens: 1000,
  cacheReadTokens: 5000,
  cacheWrite5mTokens: 2000,
  cacheWrite1hTokens: 0,
  outputTokens: 300,
};

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.storage.stored.length = 0;
  h.server.handle((req) =>
    req.operation === "converse" ? converseReply() : { type: "stream", frames: converseStreamFrames() },
  );
});

describe("Converse", () => {
  it("records the disjoint buckets, the exact cost (reference B.5.5: $0.0165), model id and request id", async () => {
    const client = newClient(h.server);
    const out = await client.send(new ConverseCommand({ modelId: MODEL, messages: MESSAGES }));
    expect(out.output?.message?.content?.[0]?.text).toBe("Hello there");
    const [e, ...rest] = await h.flushed();
    expect(rest).toHaveLength(0);
    expect(e).toMatchObject({
      provider: "bedrock",
      model: MODEL,
      requestedModel: MODEL,
      operation: "converse",
      streamed: false,
      status: "ok",
      usageSource: "provider",
      requestId: out.$metadata.requestId,
      costUsd: "0.0165",
      usage: expect.objectContaining({ ...B55, tierBasisTokens: 8000 }),
    });
    expect(e?.requestId).toMatch(/^0b7e1f2a-/);
  });

  it("splits 1-hour cache writes from cacheDetails and keeps the service tier", async () => {
    h.server.handle(() =>
      converseReply(
        {
          inputTokens: 10,
          outputTokens: 20,
          totalTokens: 3030,
          cacheReadInputTokens: 0,
          cacheWriteInputTokens: 3000,
          cacheDetails: [
            { ttl: "1h", inputTokens: 1000 },
            { ttl: "5m", inputTokens: 2000 },
          ],
        },
        { serviceTier: { type: "flex" } },
      ),
    );
    await newClient(h.server).send(new ConverseCommand({ modelId: MODEL, messages: MESSAGES }));
    const [e] = await h.flushed();
    expect(e?.usage).toMatchObject({
      uncachedInputTokens: 10,
      cacheWrite5mTokens: 2000,
      cacheWrite1hTokens: 1000,
      outputTokens: 20,
    });
    expect(e?.serviceTier).toBe("flex");
    // 10×3 + 2000×3.75 + 1000×6 + 20×15 = 13830 per 1M
    expect(e?.costUsd).toBe("0.01383");
  });

  it("covers the aggregated BedrockRuntime client (converse() goes through send) and cross-region profiles", async () => {
    const client = new BedrockRuntime({
      endpoint: h.server.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    await client.converse({ modelId: `us.${MODEL}`, messages: MESSAGES });
    const [e] = await h.flushed();
    expect(e).toMatchObject({ model: `us.${MODEL}`, requestedModel: `us.${MODEL}`, costUsd: "0.0165" });
  });

  it("does not mutate deep-frozen params, and the SDK output is the same object shape", async () => {
    const input = deepFreeze({
      modelId: MODEL,
      messages: [{ role: "user" as const, content: [{ text: "Hi" }] }],
      inferenceConfig: { maxTokens: 10 },
    });
    const out = await newClient(h.server).send(new ConverseCommand(input));
    expect(Object.keys(out).sort()).toEqual(["$metadata", "metrics", "output", "stopReason", "usage"]);
    expect(JSON.parse(h.server.requests.at(-1)?.body ?? "{}")).toMatchObject({
      messages: [{ role: "user", content: [{ text: "Hi" }] }],
      inferenceConfig: { maxTokens: 10 },
    });
    expect(await h.flushed()).toHaveLength(1);
  });

  it("records a 429 as one error event with status and request id, and the caller gets the SDK's own error", async () => {
    h.server.handle(() => ({
      type: "error",
      status: 429,
      errorType: "ThrottlingException",
      message: "Too many requests, please wait before trying again.",
    }));
    const err = await newClient(h.server)
      .send(new ConverseCommand({ modelId: MODEL, messages: MESSAGES }))
      .catch((e: unknown) => e);
    expect((err as Error).name).toBe("ThrottlingException");
    expect((err as { status?: unknown }).status).toBeUndefined(); // we never decorate the caller's error
    const [e, ...rest] = await h.flushed();
    expect(rest).toHaveLength(0);
    expect(e).toMatchObject({
      status: "error",
      errorType: "ThrottlingException",
      httpStatus: 429,
      requestId: (err as { $metadata: { requestId: string } }).$metadata.requestId,
      usageSource: "provider",
      costUsd: "0",
    });
  });

  it("records one event per logical call when the SDK retries a 500 (latency includes the retry)", async () => {
    let n = 0;
    h.server.handle(() =>
      n++ === 0
        ? { type: "error", status: 500, errorType: "InternalServerException", message: "try again" }
        : converseReply(),
    );
    const out = await newClient(h.server, { maxAttempts: 2 }).send(
      new ConverseCommand({ modelId: MODEL, messages: MESSAGES }),
    );
    expect(out.$metadata.attempts).toBe(2);
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "ok", costUsd: "0.0165", requestId: out.$metadata.requestId });
  });

  it("records a 500 that exhausts retries once, as an error", async () => {
    h.server.handle(() => ({
      type: "error",
      status: 500,
      errorType: "InternalServerException",
      message: "boom",
    }));
    await expect(
      newClient(h.server).send(new ConverseCommand({ modelId: MODEL, messages: MESSAGES })),
    ).rejects.toMatchObject({ name: "InternalServerException" });
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "error",
      httpStatus: 500,
      errorType: "InternalServerException",
    });
  });

  it("records an aborted call as aborted", async () => {
    h.server.handle(async () => {
      await new Promise((r) => setTimeout(r, 200));
      return converseReply();
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    await expect(
      newClient(h.server).send(new ConverseCommand({ modelId: MODEL, messages: MESSAGES }), {
        abortSignal: ac.signal,
      }),
    ).rejects.toMatchObject({ name: "AbortError" });
    const [e] = await h.flushed();
    expect(e).toMatchObject({ status: "aborted", usageSource: "missing", costUsd: null });
  });

  it("supports the callback form of send()", async () => {
    const out = await new Promise((resolve, reject) =>
      newClient(h.server).send(
        new ConverseCommand({ modelId: MODEL, messages: MESSAGES }),
        (err: unknown, data?: unknown) => (err ? reject(err) : resolve(data)),
      ),
    );
    expect(out).toMatchObject({ stopReason: "end_turn" });
    expect(await h.flushed()).toHaveLength(1);
  });
});

describe("ConverseStream", () => {
  it("re-yields every event untouched and records the metadata usage once, with time to first token", async () => {
    const out = await newClient(h.server).send(
      new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES }),
    );
    const events = await drain(out.stream);
    expect(events.map((e) => Object.keys(e)[0])).toEqual([
      "messageStart",
      "contentBlockDelta",
      "contentBlockDelta",
      "contentBlockStop",
      "messageStop",
      "metadata",
    ]);
    expect(events[1]).toEqual({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: "Hel" } } });
    const [e, ...rest] = await h.flushed();
    expect(rest).toHaveLength(0);
    expect(e).toMatchObject({
      operation: "converse",
      streamed: true,
      status: "ok",
      usageSource: "provider",
      costUsd: "0.0165",
      requestId: out.$metadata.requestId,
      usage: expect.objectContaining(B55),
    });
    expect(e?.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(e?.timeToFirstTokenMs).toBeLessThanOrEqual(e?.latencyMs ?? 0);
  });

  it("never drains the stream: send() resolves while the model is still generating, and a slow consumer gets every event", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const frames = converseStreamFrames();
    h.server.handle(() => ({
      type: "stream",
      frames: [frames[0]!, frames[1]!, { kind: "wait", until: gate }, ...frames.slice(2)],
    }));
    const out = await newClient(h.server).send(
      new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES }),
    );
    // The rest of the answer is still held by the server: nothing was recorded and nothing read ahead.
    expect(await h.flushed()).toHaveLength(0);
    const it = out.stream![Symbol.asyncIterator]();
    const got: ConverseStreamOutput[] = [];
    got.push((await it.next()).value as ConverseStreamOutput);
    release();
    for (;;) {
      await new Promise((r) => setTimeout(r, 15)); // slow consumer
      const r = await it.next();
      if (r.done) break;
      got.push(r.value);
    }
    expect(got).toHaveLength(6);
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "ok", costUsd: "0.0165" });
  });

  it("an early break records once as aborted, with no usage yet (metadata never arrived)", async () => {
    const out = await newClient(h.server).send(
      new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES }),
    );
    for await (const ev of out.stream!) {
      if (ev.contentBlockDelta) break;
    }
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "missing", costUsd: null });
    expect(events[0]?.timeToFirstTokenMs).not.toBeNull();
  });

  it("an exception event mid-stream reaches the caller and is recorded once as an error", async () => {
    const frames: Frame[] = [
      ...converseStreamFrames().slice(0, 2),
      {
        kind: "exception",
        exceptionType: "modelStreamErrorException",
        payload: { message: "Model stream error", originalStatusCode: 424 },
      },
    ];
    h.server.handle(() => ({ type: "stream", frames }));
    const out = await newClient(h.server).send(
      new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES }),
    );
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const ev of out.stream!) seen.push(ev);
    })().catch((e: unknown) => e);
    expect((err as Error).name).toBe("ModelStreamErrorException");
    expect(seen).toHaveLength(2);
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "error",
      errorType: "ModelStreamErrorException",
      errorMessage: "Model stream error",
      requestId: out.$metadata.requestId,
    });
  });

  it("a connection reset (HTTP/2 RST_STREAM) mid-stream is recorded once as an error", async () => {
    h.server.handle(() => ({
      type: "stream",
      frames: [
        ...converseStreamFrames().slice(0, 3),
        { kind: "wait", until: 20 },
        { kind: "reset", mode: "rst" },
      ],
    }));
    const out = await newClient(h.server).send(
      new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES }),
    );
    await expect(drain(out.stream)).rejects.toThrow(/NGHTTP2_INTERNAL_ERROR/);
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "error", usageSource: "missing" });
  });

  it("a dropped TCP connection, which the SDK ends quietly, is still recorded as an incomplete stream", async () => {
    h.server.handle(() => ({
      type: "stream",
      frames: [
        ...converseStreamFrames().slice(0, 3),
        { kind: "wait", until: 20 },
        { kind: "reset", mode: "drop" },
      ],
    }));
    const out = await newClient(h.server).send(
      new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES }),
    );
    const got = await drain(out.stream); // no error reaches the caller
    expect(got).toHaveLength(3);
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "error",
      errorType: "IncompleteStreamError",
      usageSource: "missing",
      costUsd: null,
    });
  });

  it("an abort via AbortController mid-stream is recorded once as aborted", async () => {
    h.server.handle(() => ({
      type: "stream",
      frames: [
        ...converseStreamFrames().slice(0, 2),
        { kind: "wait", until: 300 },
        ...converseStreamFrames().slice(2),
      ],
    }));
    const ac = new AbortController();
    const out = await newClient(h.server).send(
      new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES }),
      { abortSignal: ac.signal },
    );
    const got: unknown[] = [];
    await (async () => {
      for await (const ev of out.stream!) {
        got.push(ev);
        if (got.length === 2) ac.abort();
      }
    })().catch(() => undefined);
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", errorType: "AbortError" });
  });

  it("garbage in the metadata event never reaches the caller; the event is kept but flagged invalid", async () => {
    h.server.handle(() => ({
      type: "stream",
      frames: [
        ...converseStreamFrames().slice(0, 5),
        event("metadata", { usage: { inputTokens: "lots", outputTokens: -3 }, metrics: { latencyMs: 1 } }),
      ],
    }));
    const out = await newClient(h.server).send(
      new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES }),
    );
    expect(await drain(out.stream)).toHaveLength(6);
    const [e] = await h.flushed();
    expect(e).toMatchObject({ usageSource: "invalid", costUsd: null });
  });
});
