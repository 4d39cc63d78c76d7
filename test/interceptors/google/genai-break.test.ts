import { createServer, type Server } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { AddressInfo } from "node:net";
import * as genai from "@google/genai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PatchSet } from "../../../interceptors/_shared/wrap.js";
import { googleGenAiInterceptor } from "../../../interceptors/google-genai/index.js";
import { streamChunks } from "../../helpers/gemini-server.js";
import { FIRST_CHUNK_BUCKETS, harness } from "./setup.js";

// `break` out of a @google/genai stream: the SDK leaves the HTTP body open (the model keeps generating and
// billing). Tracked calls cancel it. A server that sends one chunk and then holds the stream open tells us
// whether the client hung up.
const h = harness();
let server: Server;
let url = "";
let closed: Promise<"closed">;
let patchSet: PatchSet | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    closed = new Promise((resolve) => res.on("close", () => resolve("closed")));
    req.resume();
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(`data: ${JSON.stringify(streamChunks()[0])}\r\n\r\n`); // then nothing: a model still generating
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  patchSet?.restore();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(() => {
  server.closeAllConnections();
  h.clear();
});

const client = () => new genai.GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: url } });
const gone = (ms: number) =>
  Promise.race([closed, new Promise<"open">((r) => setTimeout(() => r("open"), ms))]);

describe("@google/genai: break out of generateContentStream", () => {
  it("negative control: untracked, the HTTP body stays open after break", async () => {
    for await (const chunk of await client().models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "hi",
    })) {
      expect(chunk.text).toBe("Hel");
      break;
    }
    expect(await gone(300)).toBe("open");
  });

  it("tracked: the HTTP body is cancelled, one aborted event with the partial usage seen", async () => {
    patchSet = googleGenAiInterceptor.patchModule(genai, h.env);
    const controller = new AbortController(); // the caller's own signal keeps working alongside ours
    for await (const chunk of await client().models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "hi",
      config: { abortSignal: controller.signal },
    })) {
      expect(chunk.text).toBe("Hel");
      break;
    }
    expect(await gone(2_000)).toBe("closed");
    const events = await h.waitFor(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ status: "aborted", usageSource: "partial", streamed: true });
    expect(events[0]!.usage).toEqual(FIRST_CHUNK_BUCKETS);
    expect(controller.signal.aborted).toBe(false);
  });
});

describe("@google/genai: a stream never iterated", () => {
  it("the caller aborts before reading: one aborted event, usage missing, flagged streamUnread", async () => {
    patchSet ??= googleGenAiInterceptor.patchModule(genai, h.env);
    const controller = new AbortController();
    await client().models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "hi",
      config: { abortSignal: controller.signal },
    });
    controller.abort();
    const events = await h.waitFor(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(await h.events()).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: "aborted",
      usageSource: "missing",
      streamed: true,
      metadata: { streamUnread: "aborted" },
    });
  });

  // Node's fetch also cancels a body whose Response was garbage-collected, but only once that body is collected
  // (later, or never if something holds it); we cancel when the stream is recorded as released.
  it("released (garbage-collected): one event, and the HTTP body is cancelled (nobody can read it any more)", async () => {
    patchSet ??= googleGenAiInterceptor.patchModule(genai, h.env);
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    // The previous test's connection was closed by afterEach: let the client see that before sending again.
    await new Promise((r) => setTimeout(r, 50));
    await (async () => {
      void (await client().models.generateContentStream({ model: "gemini-2.5-flash", contents: "hi" }));
    })();
    for (let i = 0; i < 40 && (await h.events()).length === 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await h.events()).toHaveLength(1);
    expect((await h.events())[0]).toMatchObject({
      usageSource: "missing",
      metadata: { streamUnread: "released" },
    });
    expect(await gone(1000)).toBe("closed");
  });
});
