/**
 * The user-facing path: `track()` patches the installed SDK (CommonJS copy at once, ESM copy once
 * `instrumentationReady()` resolves) through the registry, and a call made with the ESM client is recorded once.
 */
import Anthropic from "@anthropic-ai/sdk";
import { instrument, instrumentationReady, track, untrack } from "tokenledger";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CaptureStorage } from "../../helpers/capture.js";
import { startAnthropicServer, type AnthropicServer } from "../../helpers/anthropic-server.js";
import { BASE_PARAMS, testPricer } from "./harness.js";

let server: AnthropicServer;
const storage = new CaptureStorage();

beforeAll(async () => {
  server = await startAnthropicServer();
});
afterAll(async () => {
  await untrack();
  await server.close();
});

it("track() patches both copies of @anthropic-ai/sdk once; each call is one event", async () => {
  const tracker = track({ storage, pricer: testPricer, logger: false, autoFlushOnExit: false });
  const report = await instrumentationReady();
  const ours = report.patched.filter((p) => p.interceptor === "anthropic");
  expect(ours.map((p) => p.format).sort()).toEqual(["cjs", "esm"]);

  const client = new Anthropic({
    apiKey: "sk-ant-test-key-000000000000",
    baseURL: server.url,
    maxRetries: 0,
  });
  // Explicitly instrumenting a client whose class track() already patched must not wrap it twice.
  instrument(client);
  await client.messages.create(BASE_PARAMS);
  const stream = await client.messages.create({ ...BASE_PARAMS, max_tokens: 7, stream: true });
  for await (const _ of stream) void _;

  await tracker.flush({ timeoutMs: 5000 });
  expect(storage.stored.map((e) => [e.provider, e.streamed, e.usage.outputTokens])).toEqual([
    ["anthropic", false, 256],
    ["anthropic", true, 7],
  ]);
});
