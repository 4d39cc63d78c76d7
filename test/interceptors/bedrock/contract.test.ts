import { createRequire } from "node:module";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as bedrock from "@aws-sdk/client-bedrock-runtime";
import { ConverseCommand, ConverseStreamCommand, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { withContext } from "tokenledger";
import { bedrockInterceptor } from "../../../interceptors/bedrock/index.js";
import type { InterceptorEnv, UsageSink } from "../../../interceptors/_shared/types.js";
import type { PatchSet } from "../../../interceptors/_shared/wrap.js";
import { captureTracker } from "../../helpers/capture.js";
import {
  converseReply,
  defaultHandler,
  startBedrockServer,
  type BedrockServer,
} from "../../helpers/bedrock-server.js";
import { CREDENTIALS, drain, MESSAGES, newClient, testPricer } from "./setup.js";

const MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0";
const send = (client: bedrock.BedrockRuntimeClient) =>
  client.send(new ConverseCommand({ modelId: MODEL, messages: MESSAGES }));

let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer();
});
afterAll(() => server.close());
beforeEach(() => server.handle(defaultHandler));
// Every patch is undone even when a test fails, so one failure cannot leak into the next test.
const patches: (PatchSet | undefined)[] = [];
afterEach(() => {
  for (const p of patches.splice(0)) p?.restore();
});
function patchWith(mod: unknown, env: InterceptorEnv): PatchSet {
  const p = bedrockInterceptor.patchModule(mod, env);
  patches.push(p);
  return p!;
}

function capture() {
  const c = captureTracker({ pricer: testPricer });
  const env: InterceptorEnv = { sink: () => c.tracker, options: {}, warnOnce: () => undefined };
  return { ...c, env };
}

describe("patching", () => {
  it("unpatch restores the original send and removes the middleware from clients already reached", async () => {
    const originalSend = bedrock.BedrockRuntimeClient.prototype.send;
    const c = capture();
    const patch = patchWith(bedrock, c.env);
    expect(bedrock.BedrockRuntimeClient.prototype.send).not.toBe(originalSend);
    const client = newClient(server);
    await send(client);
    patch.restore();
    expect(bedrock.BedrockRuntimeClient.prototype.send).toBe(originalSend);
    expect(Object.hasOwn(bedrock.BedrockRuntimeClient.prototype, "send")).toBe(false);
    expect(client.middlewareStack.identify().some((n) => n.includes("tokenledger"))).toBe(false);
    await send(client);
    expect(await c.flushed()).toHaveLength(1);
  });

  it("the CommonJS exports and the ESM namespace (and patching twice) record each call once", async () => {
    const cjs: unknown = createRequire(import.meta.url)("@aws-sdk/client-bedrock-runtime");
    const esm: unknown = await import("@aws-sdk/client-bedrock-runtime");
    const c = capture();
    const sets = [cjs, esm, cjs, { default: cjs }].map((m) => patchWith(m, c.env));
    expect(sets.filter((p) => p && p.size > 0)).toHaveLength(1);
    await send(newClient(server));
    await drain(
      (await newClient(server).send(new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES })))
        .stream,
    );
    const events = await c.flushed();
    expect(events.map((e) => e.streamed)).toEqual([false, true]);
  });

  it("a separate copy of the SDK class (two installed versions) is patched on its own", async () => {
    class OtherCopy extends bedrock.BedrockRuntimeClient {}
    const c = capture();
    const a = patchWith({ BedrockRuntimeClient: OtherCopy }, c.env);
    const b = patchWith(bedrock, c.env);
    await new OtherCopy({
      endpoint: server.url,
      region: "us-east-1",
      credentials: CREDENTIALS,
      maxAttempts: 1,
    }).send(new ConverseCommand({ modelId: MODEL, messages: MESSAGES }));
    expect(await c.flushed()).toHaveLength(1); // one middleware per client, never two
    a.restore();
    b.restore();
  });

  it("matches commands without class names (minified bundles rename them)", async () => {
    // A bundler turns `ConverseCommand` into `a`; the SDK's builder still names the command "ConverseCommand".
    const a = class extends ConverseCommand {};
    Object.defineProperty(a, "name", { value: "a" });
    const c = capture();
    const patch = patchWith(bedrock, c.env);
    await newClient(server).send(new a({ modelId: MODEL, messages: MESSAGES }));
    const [e] = await c.flushed();
    expect(e).toMatchObject({ operation: "converse", costUsd: "0.0165" });
    patch.restore();
  });

  it("reaches a cacheMiddleware client created and used before patching", async () => {
    const client = newClient(server, { cacheMiddleware: true });
    await send(client); // caches a handler without our middleware
    const c = capture();
    const patch = patchWith(bedrock, c.env);
    await send(client);
    await send(client);
    expect(await c.flushed()).toHaveLength(2);
    patch.restore();
    await send(client);
    expect(await c.flushed()).toHaveLength(2);
  });

  it("warns once instead of skipping silently when send() is missing in a new SDK shape", () => {
    const warnings: string[] = [];
    const env: InterceptorEnv = { sink: () => undefined, options: {}, warnOnce: (_k, m) => warnings.push(m) };
    const set = bedrockInterceptor.patchModule(
      { BedrockRuntimeClient: class {}, ConverseCommand: class {} },
      env,
    );
    expect(set).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining("BedrockRuntimeClient.prototype.send not found")]);
  });
});

describe("never in the caller's way", () => {
  it("with tracking off (no sink) the call runs untouched and no middleware is added", async () => {
    const env: InterceptorEnv = { sink: () => undefined, options: {}, warnOnce: () => undefined };
    const patch = patchWith(bedrock, env);
    const client = newClient(server);
    await send(client);
    expect(client.middlewareStack.identify().some((n) => n.includes("tokenledger"))).toBe(false);
    patch.restore();
  });

  it("a sink that throws everywhere changes neither results, streams nor errors", async () => {
    const boom = (): never => {
      throw new Error("sink exploded");
    };
    const sink: UsageSink = { record: boom, reportInternalError: boom, reportAnomaly: boom };
    const patch = patchWith(bedrock, { sink: () => sink, options: {}, warnOnce: () => undefined });
    const client = newClient(server);
    expect((await send(client)).usage?.inputTokens).toBe(1000);
    expect(
      await drain(
        (await client.send(new ConverseStreamCommand({ modelId: MODEL, messages: MESSAGES }))).stream,
      ),
    ).toHaveLength(6);
    server.handle(() => ({
      type: "error",
      status: 429,
      errorType: "ThrottlingException",
      message: "slow down",
    }));
    await expect(send(client)).rejects.toMatchObject({ name: "ThrottlingException" });
    patch.restore();
  });

  it("200 interleaved calls under different withContext scopes are each attributed to their own scope", async () => {
    server.handle(async () => {
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      return converseReply();
    });
    const c = capture();
    const patch = patchWith(bedrock, c.env);
    const client = newClient(server);
    const outs = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        withContext({ userId: `user-${i}` }, () =>
          i % 2 === 0
            ? client
                .send(new ConverseCommand({ modelId: MODEL, messages: MESSAGES }))
                .then((o) => o.$metadata.requestId)
            : client
                .send(new InvokeModelCommand({ modelId: MODEL, body: "{}" }))
                .then((o) => o.$metadata.requestId),
        ),
      ),
    );
    const events = await c.flushed();
    expect(events).toHaveLength(200);
    const byRequest = new Map(events.map((e) => [e.requestId, e.userId]));
    outs.forEach((requestId, i) => expect(byRequest.get(requestId ?? "")).toBe(`user-${i}`));
    patch.restore();
  });
});

describe("secrets", () => {
  it("credential canaries in the access key, session token, bearer token and error body never reach a stored field", async () => {
    const canaryKeyId = "AKIACANARY0000000001";
    const canarySecret = "canarySecretKey/0000000000000000000000000";
    const canarySession = "canarySessionToken0000000000";
    const canaryBearer = "ABSKcanaryBearerToken0000000000000000";
    server.handle((req) => ({
      type: "error",
      status: 403,
      errorType: "AccessDeniedException",
      // A proxy that echoes what it got: the SigV4 header holds the access key id; a bearer key travels in full.
      message: `Denied. Authorization: ${String(req.headers.authorization)}; token=${canarySession} key=${canaryKeyId}`,
    }));
    const c = capture();
    const patch = patchWith(bedrock, c.env);
    const signed = newClient(server, {
      credentials: { accessKeyId: canaryKeyId, secretAccessKey: canarySecret, sessionToken: canarySession },
    });
    await expect(send(signed)).rejects.toMatchObject({ name: "AccessDeniedException" });
    const bearer = newClient(server, {
      token: { token: canaryBearer },
      authSchemePreference: ["httpBearerAuth"],
    });
    await expect(send(bearer)).rejects.toMatchObject({ name: "AccessDeniedException" });
    expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${canaryBearer}`);
    const events = await c.flushed();
    expect(events).toHaveLength(2);
    const stored = JSON.stringify(events);
    for (const canary of [canaryKeyId, canarySecret, canarySession, canaryBearer])
      expect(stored).not.toContain(canary);
    expect(events[0]?.errorMessage).toContain("[REDACTED]");
    patch.restore();
  });
});
