import Anthropic from "@anthropic-ai/sdk";
import * as sdk from "@anthropic-ai/sdk";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failover } from "tokenledger/failover";
import { startFaultyUpstream, type FaultyUpstream } from "../helpers/faulty-upstream.js";
import { createHarness, type Harness } from "../interceptors/anthropic/harness.js";

let h: Harness;
let direct: FaultyUpstream;
let second: FaultyUpstream;
beforeAll(async () => {
  h = await createHarness();
  h.patch(sdk);
  direct = await startFaultyUpstream("anthropic", "direct");
  second = await startFaultyUpstream("anthropic", "second");
});
afterAll(async () => {
  await h.close();
  await direct.close();
  await second.close();
});

describe("Anthropic through the SDK interceptor (the 1.x SDK's own tracing on)", () => {
  it("the answering attempt's event carries the failover note and columns", async () => {
    direct.mode = "529";
    const client = failover({
      name: "anthropic-traced",
      record: (e) => h.env.sink()?.record(e),
      targets: [
        { provider: "anthropic", client: new Anthropic({ apiKey: "a", baseURL: direct.baseURL }) },
        {
          provider: "vertex-anthropic",
          model: "claude-sonnet-4-5@20250929",
          client: new Anthropic({ apiKey: "b", baseURL: second.baseURL }),
        },
      ],
    });
    const before = (await h.events()).length;
    await client.messages.create({
      model: "claude-fake-1",
      max_tokens: 10,
      messages: [{ role: "user", content: "Hi" }],
    });
    const events = (await h.waitFor(before + 2)).slice(before);
    const ok = events.find((e) => e.status === "ok")!;
    expect(ok.metadata).toMatchObject({
      failover: { effectiveTarget: "vertex-anthropic:claude-sonnet-4-5@20250929" },
    });
    expect(ok).toMatchObject({ provider: "vertex", attempt: 2, failoverReason: "overloaded" });
  });

  it("a streamed answer (messages.stream) after a switch carries them too", async () => {
    direct.mode = "529";
    const client = failover({
      name: "anthropic-traced-stream",
      record: (e) => h.env.sink()?.record(e),
      targets: [
        { provider: "anthropic", client: new Anthropic({ apiKey: "a", baseURL: direct.baseURL }) },
        { provider: "bedrock-anthropic", client: new Anthropic({ apiKey: "b", baseURL: second.baseURL }) },
      ],
    });
    const before = (await h.events()).length;
    const stream = client.messages.stream({
      model: "claude-fake-1",
      max_tokens: 10,
      messages: [{ role: "user", content: "Hi" }],
    });
    await stream.finalMessage();
    const events = (await h.waitFor(before + 2)).slice(before);
    const ok = events.find((e) => e.status === "ok")!;
    expect(ok.metadata).toMatchObject({ failover: { effectiveTarget: "bedrock-anthropic" } });
    expect(ok).toMatchObject({ provider: "bedrock", attempt: 2, failoverReason: "overloaded" });
  });

  it("with the SDK's tracing exporting to a real provider, too", async () => {
    direct.mode = "529";
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
    });
    const otel = { openTelemetry: { tracerProvider: provider } } as Record<string, unknown>;
    const client = failover({
      name: "anthropic-traced-real",
      record: (e) => h.env.sink()?.record(e),
      targets: [
        { provider: "anthropic", client: new Anthropic({ apiKey: "a", baseURL: direct.baseURL, ...otel }) },
        {
          provider: "bedrock-anthropic",
          client: new Anthropic({ apiKey: "b", baseURL: second.baseURL, ...otel }),
        },
      ],
    });
    const before = (await h.events()).length;
    await client.messages.create({
      model: "claude-fake-1",
      max_tokens: 10,
      messages: [{ role: "user", content: "Hi" }],
    });
    const events = (await h.waitFor(before + 2)).slice(before);
    const ok = events.find((e) => e.status === "ok")!;
    expect(ok).toMatchObject({ provider: "bedrock", attempt: 2, failoverReason: "overloaded" });
  });
});
