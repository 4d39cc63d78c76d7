import { afterAll, beforeAll, expect, it } from "vitest";
import { ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { instrument, instrumentationReady, track, unpatch, untrack } from "tokenledger";
import { CaptureStorage } from "../../helpers/capture.js";
import { startBedrockServer, type BedrockServer } from "../../helpers/bedrock-server.js";
import { MESSAGES, newClient, testPricer } from "./setup.js";

// Process-wide state (track / instrument / unpatch) lives in its own file: vitest gives each file a fresh process.
let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer();
});
afterAll(async () => {
  await untrack();
  await server.close();
});

const send = (client: ReturnType<typeof newClient>) =>
  client.send(
    new ConverseCommand({ modelId: "anthropic.claude-3-5-sonnet-20241022-v2:0", messages: MESSAGES }),
  );

it("track() patches the installed SDK, instrument(client) on top records once, unpatch() stops recording", async () => {
  const storage = new CaptureStorage();
  const tracker = track({ storage, logger: false, pricer: testPricer, autoFlushOnExit: false });
  const report = await instrumentationReady();
  expect(report.patched.filter((p) => p.interceptor === "bedrock").length).toBeGreaterThanOrEqual(1);
  const mine = newClient(server);
  expect(instrument(mine)).toBe(true);
  expect(instrument({ send() {} })).toBe(false);
  await send(mine);
  await send(newClient(server));
  await tracker.flush();
  expect(storage.stored.map((e) => e.costUsd)).toEqual(["0.0165", "0.0165"]);
  unpatch();
  await send(mine);
  await send(newClient(server));
  await tracker.flush();
  expect(storage.stored).toHaveLength(2);
});
