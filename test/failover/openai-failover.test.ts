import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LedgerEvent, UsageEventInput } from "tokenledger";
import {
  AllTargetsUnavailableError,
  failover,
  failoverStatus,
  groupOf,
  StreamCutError,
} from "tokenledger/failover";
import { startFaultyUpstream, type FaultyUpstream } from "../helpers/faulty-upstream.js";
import { harness, patch, require, type Harness } from "../interceptors/openai/support.js";
import { waitForEvents } from "../interceptors/wait-for-events.js";

const openai = require("openai");
const { OpenAI, AzureOpenAI } = openai;
const { Stream } = require("openai/streaming");

let primary: FaultyUpstream;
let fallback: FaultyUpstream;
let h: Harness;
let restore: () => void;
let clock: number;
const now = (): number => clock;
const messages = [{ role: "user" as const, content: "Hi" }];

beforeAll(async () => {
  primary = await startFaultyUpstream("openai", "primary");
  fallback = await startFaultyUpstream("openai", "fallback");
});
afterAll(async () => {
  await primary.close();
  await fallback.close();
});
beforeEach(() => {
  clock = 1_000_000;
  for (const u of [primary, fallback]) {
    u.mode = "ok";
    u.hits = 0;
    u.models.length = 0;
  }
  h = harness({ baseURLProviders: { "127.0.0.1": "openai" } });
  const set = patch(openai, h);
  restore = () => set.restore();
});
afterEach(() => restore());

/** OpenAI direct → Azure OpenAI, the common pair; failed attempts recorded into the harness. */
function group(name: string, policy: Record<string, unknown> = {}, targets?: unknown[]) {
  const record = (e: UsageEventInput): void => h.env.sink()?.record(e);
  return failover({
    name,
    now,
    record,
    policy,
    targets: (targets ?? [
      {
        provider: "openai",
        model: "gpt-4o",
        client: new OpenAI({ apiKey: "sk-a", baseURL: primary.baseURL }),
      },
      {
        provider: "azure",
        model: "gpt-4o-eu",
        client: new AzureOpenAI({ apiKey: "az-b", endpoint: fallback.url, apiVersion: "2024-10-21" }),
      },
    ]) as never,
  }) as InstanceType<typeof OpenAI>;
}

const failoverOf = (e: LedgerEvent): Record<string, unknown> =>
  (e.metadata as { failover: Record<string, unknown> }).failover;

describe("a failing primary", () => {
  it("fails over to the fallback, and once the breaker opens the primary is no longer contacted", async () => {
    primary.mode = "500";
    const client = group("dead-primary");
    for (let i = 0; i < 3; i++) {
      const res = await client.chat.completions.create({ model: "gpt-4o", messages });
      expect(res.choices[0]?.message.content).toBe("answer from fallback");
    }
    expect(primary.hits).toBe(3); // 3 consecutive 5xx: open
    expect(fallback.models).toEqual(["gpt-4o-eu", "gpt-4o-eu", "gpt-4o-eu"]); // the target's own model
    const { data, response } = await client.chat.completions
      .create({ model: "gpt-4o", messages })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("answer from fallback");
    expect(response.headers.get("x-request-id")).toBe("req_fallback");
    expect(primary.hits).toBe(3); // the open breaker skipped it without a request
    expect(groupOf(client)?.status()[0]).toMatchObject({
      state: "open",
      lastReason: "server_error",
      retryAt: clock + 30_000,
    });

    const events = await waitForEvents(h.flushed, 7);
    const failed = events.filter((e) => e.status === "error");
    const answered = events.filter((e) => e.status === "ok");
    expect(failed).toHaveLength(3);
    expect(answered).toHaveLength(4);
    expect(failed[0]).toMatchObject({
      provider: "openai",
      operation: "chat",
      httpStatus: 500,
      requestedModel: "gpt-4o",
    });
    expect(failoverOf(failed[0]!)).toMatchObject({
      group: "dead-primary",
      requestedTarget: "openai:gpt-4o",
      effectiveTarget: "openai:gpt-4o",
      attempt: 1,
      failedBecause: "server_error",
    });
    expect(answered[0]).toMatchObject({ provider: "azure", usageSource: "provider" });
    expect(failoverOf(answered[0]!)).toMatchObject({
      effectiveTarget: "azure:gpt-4o-eu",
      attempt: 2,
      reason: "server_error",
    });
    expect(failoverOf(answered[3]!)).toMatchObject({
      effectiveTarget: "azure:gpt-4o-eu",
      attempt: 1,
      reason: "breaker_open",
    });
  });

  it("negative control: with the breaker rules out of reach, every call still pays an attempt on the primary", async () => {
    primary.mode = "500";
    const client = group("no-breaker", { consecutiveFailures: 1_000, minRequests: 1_000, errorRate: 1 });
    for (let i = 0; i < 4; i++) await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(primary.hits).toBe(4);
    expect(groupOf(client)?.status()[0]?.state).toBe("closed");
  });

  it("aborts an attempt with no headers after firstByteTimeoutMs and moves on", async () => {
    primary.mode = "hang";
    const client = group("no-headers", { firstByteTimeoutMs: 400 });
    const res = await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(res.choices[0]?.message.content).toBe("answer from fallback");
    const events = await waitForEvents(h.flushed, 2);
    expect(failoverOf(events.find((e) => e.status === "ok")!)).toMatchObject({
      reason: "first_byte_timeout",
    });
  });

  it("moves a stream whose first byte is late, and the caller still gets the SDK's Stream", async () => {
    primary.mode = "slow-first";
    primary.delayMs = 2_000;
    const client = group("slow-stream", { firstByteTimeoutMs: 400 });
    const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    expect(stream).toBeInstanceOf(Stream);
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toContain("fallback-6");
    const events = await waitForEvents(h.flushed, 2);
    const ok = events.find((e) => e.status === "ok")!;
    expect(ok).toMatchObject({ provider: "azure", streamed: true });
    expect(failoverOf(ok)).toMatchObject({ reason: "first_byte_timeout", attempt: 2 });
  });

  it("hands a 400 to the caller without failing over, and keeps the target healthy", async () => {
    primary.mode = "400";
    const client = group("bad-request");
    await expect(client.chat.completions.create({ model: "gpt-4o", messages })).rejects.toMatchObject({
      status: 400,
    });
    expect(fallback.hits).toBe(0);
    expect(groupOf(client)?.status()[0]).toMatchObject({ state: "closed", consecutiveFailures: 0 });
  });
});

describe("a group with one target", () => {
  it("still opens its breaker: later calls fail fast with the earliest retry time, without a request", async () => {
    primary.mode = "500";
    const client = group("single", {}, [
      { provider: "openai", client: new OpenAI({ apiKey: "sk-a", baseURL: primary.baseURL }) },
    ]);
    for (let i = 0; i < 3; i++) {
      await expect(client.chat.completions.create({ model: "gpt-4o", messages })).rejects.toBeInstanceOf(
        openai.InternalServerError,
      );
    }
    const err = await client.chat.completions.create({ model: "gpt-4o", messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AllTargetsUnavailableError);
    expect((err as AllTargetsUnavailableError).retryAt.getTime()).toBe(clock + 30_000);
    expect(primary.hits).toBe(3);
  });
});

describe("whenAllOpen", () => {
  it("degraded: with every target open, calls still go to the target whose cooldown ends soonest, flagged", async () => {
    primary.mode = "500";
    const client = group("degraded", { whenAllOpen: "degraded" }, [
      { provider: "openai", client: new OpenAI({ apiKey: "sk-a", baseURL: primary.baseURL }) },
    ]);
    for (let i = 0; i < 3; i++)
      await client.chat.completions.create({ model: "gpt-4o", messages }).catch(() => undefined);
    primary.mode = "ok";
    const res = await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(res.choices[0]?.message.content).toBe("answer from primary");
    expect(primary.hits).toBe(4);
    const events = await waitForEvents(h.flushed, 4);
    expect(failoverOf(events.at(-1)!)).toMatchObject({ degraded: true, reason: "breaker_open" });
  });
});

describe("the caller's abort", () => {
  it("is not a target failure: no failover, no breaker count", async () => {
    primary.mode = "hang";
    const client = group("abort");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(
      client.chat.completions.create({ model: "gpt-4o", messages }, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(openai.APIUserAbortError);
    expect(fallback.hits).toBe(0);
    expect(groupOf(client)?.status()[0]).toMatchObject({
      state: "closed",
      consecutiveFailures: 0,
      errors: 0,
    });
  });
});

describe("recovery", () => {
  it("after the cooldown exactly one call probes the primary; its success closes the breaker", async () => {
    primary.mode = "500";
    const client = group("recovery");
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: "gpt-4o", messages });
    primary.mode = "ok";
    clock += 29_999;
    await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(primary.hits).toBe(3); // still cooling down
    clock += 1;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => client.chat.completions.create({ model: "gpt-4o", messages })),
    );
    expect(primary.hits).toBe(4); // one probe among five concurrent calls
    expect(answers.filter((a) => a.choices[0]?.message.content === "answer from primary")).toHaveLength(1);
    expect(groupOf(client)?.status()[0]?.state).toBe("closed");
    const next = await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(next.choices[0]?.message.content).toBe("answer from primary");
  });

  it("a failed probe reopens the breaker with the cooldown doubled", async () => {
    primary.mode = "500";
    const client = group("reprobe");
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: "gpt-4o", messages });
    clock += 30_000;
    await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(primary.hits).toBe(4);
    expect(groupOf(client)?.status()[0]).toMatchObject({ state: "open", retryAt: clock + 60_000 });
  });
});

describe("429 with Retry-After", () => {
  it("opens the target for the Retry-After time, not the default cooldown, then probes it", async () => {
    primary.mode = "429";
    primary.retryAfterSeconds = 2;
    const client = group("rate-limited");
    const res = await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(res.choices[0]?.message.content).toBe("answer from fallback");
    expect(primary.hits).toBe(1); // the SDK's own retries are off: one attempt, not 3
    expect(groupOf(client)?.status()[0]).toMatchObject({
      state: "open",
      lastReason: "rate_limited",
      retryAt: clock + 2_000,
    });
    primary.mode = "ok";
    clock += 2_000;
    const back = await client.chat.completions.create({ model: "gpt-4o", messages });
    expect(back.choices[0]?.message.content).toBe("answer from primary");
  });
});

describe("a stream cut after its first byte", () => {
  it("reaches the caller as an error, counts as a breaker failure, is recorded as an error, never fails over", async () => {
    primary.mode = "cut";
    const client = group("cut");
    const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    const seen: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
    };
    await expect(consume()).rejects.toThrow();
    expect(seen.length).toBeGreaterThan(0);
    expect(fallback.hits).toBe(0);
    expect(groupOf(client)?.status()[0]).toMatchObject({ consecutiveFailures: 1, lastReason: "stream_cut" });
    const [e] = await waitForEvents(h.flushed, 1);
    expect(e).toMatchObject({ status: "error", provider: "openai", streamed: true });
    expect(failoverOf(e!)).toMatchObject({ effectiveTarget: "openai:gpt-4o", attempt: 1 });
  });

  it("a stream that ends cleanly without [DONE] is an error too (StreamCutError), not a success", async () => {
    primary.mode = "clean-cut";
    const client = group("clean-cut");
    const stream = await client.chat.completions.create({ model: "gpt-4o", messages, stream: true });
    const consume = async (): Promise<void> => {
      for await (const _ of stream) void _;
    };
    await expect(consume()).rejects.toBeInstanceOf(StreamCutError);
    const [e] = await waitForEvents(h.flushed, 1);
    expect(e?.status).toBe("error");
    expect(
      failoverStatus().find((s) => s.group === "clean-cut" && s.target === "openai:gpt-4o"),
    ).toMatchObject({
      lastReason: "stream_cut",
      errors: 1,
    });
  });
});
