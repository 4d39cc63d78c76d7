import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withContext } from "tokenledger";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import type { InterceptorEnv } from "../../../interceptors/_shared/types.js";
import { openaiInterceptor } from "../../../interceptors/openai/index.js";
import { findRealtimeEmitter, REALTIME_MODULES } from "../../../interceptors/openai/realtime-auto.js";
import { createPricer } from "../../../src/pricing/index.js";
import { captureTracker } from "../../helpers/capture.js";
import { require } from "./support.js";

// OpenAI Realtime over a WebSocket: the real SDK class (`openai/realtime/ws`) against a local wss:// server that
// speaks the Realtime event protocol. The SDK always dials wss://, so the server uses a throwaway self-signed
// certificate made for this run.
const { OpenAI } = require("openai");
const { OpenAIRealtimeWS } = require("openai/realtime/ws");

const MODEL = "gpt-realtime-2025-08-28";
/** Test rates per 1M: text in 4, cached 0.40, text out 16, audio in 32, audio out 64. */
const pricer = createPricer({
  litellmCachePath: false,
  overrides: {
    [`openai/${MODEL}`]: { input: "4", cacheRead: "0.4", output: "16", inputAudio: "32", outputAudio: "64" },
    "openai/gpt-4o-transcribe": { input: "2.5", output: "10", inputAudio: "6" },
  },
});
const USAGE = {
  total_tokens: 1750,
  input_tokens: 1200,
  output_tokens: 550,
  input_token_details: {
    text_tokens: 200,
    audio_tokens: 1000,
    image_tokens: 0,
    cached_tokens: 400,
    cached_tokens_details: { text_tokens: 100, audio_tokens: 300 },
  },
  output_token_details: { text_tokens: 50, audio_tokens: 500 },
};
/** text in 100 × 4 + audio in 700 × 32 + cached 400 × 0.40 + text out 50 × 16 + audio out 500 × 64 = 55,760 / 1M. */
const COST = "0.05576";

/** gpt-4o-transcribe: text in 100 × 2.5 + audio in 900 × 6 + out 50 × 10 = 6,150 / 1M. */
const TRANSCRIPTION_USAGE = {
  type: "tokens",
  input_tokens: 1000,
  input_token_details: { text_tokens: 100, audio_tokens: 900 },
  output_tokens: 50,
  total_tokens: 1050,
};
const models = new WeakMap<object, string>();
const transcriber = (socket: object): string | undefined => models.get(socket);

let server: Server;
let wss: WebSocketServer;
let port = 0;
let ca = "";
let counter = 0;

function reply(socket: WebSocket, event: object): void {
  socket.send(JSON.stringify({ event_id: `event_${++counter}`, ...event }));
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "tl-rt-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  ca = readFileSync(join(dir, "cert.pem"), "utf8");
  server = createServer({ key: readFileSync(join(dir, "key.pem")), cert: ca });
  wss = new WebSocketServer({ server });
  wss.on("connection", (socket) => {
    reply(socket, {
      type: "session.created",
      session: { id: "sess_001", object: "realtime.session", model: MODEL },
    });
    socket.on("message", (data) => {
      const event = JSON.parse(String(data)) as {
        type: string;
        response?: { metadata?: { mode?: string } };
        session?: { audio?: { input?: { transcription?: { model?: string } } } };
      };
      const mode = event.response?.metadata?.mode;
      if (event.type === "session.update") {
        const transcription = event.session?.audio?.input?.transcription;
        if (transcription?.model) models.set(socket, transcription.model);
        reply(socket, {
          type: "session.updated",
          session: {
            id: "sess_001",
            object: "realtime.session",
            model: MODEL,
            audio: { input: { transcription } },
          },
        });
      }
      if (event.type === "input_audio_buffer.commit") {
        const item = `item_${++counter}`;
        const whisper = transcriber(socket) === "whisper-1";
        reply(socket, {
          type: "conversation.item.input_audio_transcription.completed",
          item_id: item,
          content_index: 0,
          transcript: "Hello.",
          usage: whisper ? { type: "duration", seconds: 3.2 } : TRANSCRIPTION_USAGE,
        });
      }
      if (event.type === "response.create") {
        const id = `resp_${++counter}`;
        reply(socket, {
          type: "response.created",
          response: { id, object: "realtime.response", status: "in_progress" },
        });
        reply(socket, { type: "response.output_audio_transcript.delta", response_id: id, delta: "Hi" });
        if (mode === "hold") return; // a response still generating when the client hangs up
        const status = mode === "cancel" ? "cancelled" : "completed";
        reply(socket, {
          type: "response.done",
          response: { id, object: "realtime.response", status, usage: USAGE },
        });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  wss.close();
  await new Promise((r) => server.close(r));
});

let h: ReturnType<typeof captureTracker>;
let env: InterceptorEnv;
beforeEach(() => {
  h = captureTracker({ pricer });
  env = { sink: () => h.tracker, options: {}, warnOnce: () => {} };
});

/** Open a session; `instrument` runs right after construction (as an application would), before any event. */
async function connect(instrument?: (rt: any) => void): Promise<any> {
  const client = new OpenAI({ apiKey: "sk-test-realtime", baseURL: `https://127.0.0.1:${port}/v1` });
  const rt = new OpenAIRealtimeWS({ model: "gpt-realtime", options: { ca } }, client);
  instrument?.(rt);
  const session = new Promise((r) => rt.once("session.created", r));
  await new Promise<void>((resolve, reject) => {
    rt.socket.once("open", () => resolve());
    rt.socket.once("error", reject);
  });
  await session;
  return rt;
}

function respond(rt: any, mode?: string): Promise<unknown> {
  const done = new Promise((r) => rt.once("response.done", r));
  rt.send({ type: "response.create", response: mode ? { metadata: { mode } } : {} });
  return done;
}

async function eventsAfter(n: number) {
  for (let i = 0; i < 100; i++) {
    const e = await h.flushed();
    if (e.length >= n) return e;
    await new Promise((r) => setTimeout(r, 10));
  }
  return h.flushed();
}

describe("OpenAI Realtime sessions (instrument(rt))", () => {
  it("one event per response.done with text/audio/cached buckets and exact realtime cost, attributed", async () => {
    const rt = await withContext({ teamId: "voice" }, () =>
      connect((r) => openaiInterceptor.instrumentClient!(r, env)),
    );
    await respond(rt);
    await respond(rt);
    rt.close();
    const events = await eventsAfter(2);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      provider: "openai",
      operation: "realtime",
      model: MODEL,
      requestedModel: "gpt-realtime",
      streamed: true,
      status: "ok",
      usageSource: "provider",
      costUsd: COST,
      teamId: "voice",
      metadata: { realtimeSession: "sess_001" },
    });
    expect(events[0]!.usage).toMatchObject({
      uncachedInputTokens: 800,
      cacheReadTokens: 400,
      inputAudioTokens: 700,
      outputTokens: 550,
      outputAudioTokens: 500,
    });
    expect(events[0]!.requestId).toMatch(/^resp_/);
    expect(new Set(events.map((e) => e.requestId)).size).toBe(2);
  });

  it("a cancelled response is aborted with the usage billed so far; one still open at close is aborted, usage missing", async () => {
    const rt = await connect((r) => openaiInterceptor.instrumentClient!(r, env));
    await respond(rt, "cancel");
    const created = new Promise((r) => rt.once("response.created", r));
    rt.send({ type: "response.create", response: { metadata: { mode: "hold" } } });
    await created;
    rt.close();
    const events = await eventsAfter(2);
    expect(events.map((e) => `${e.status}:${e.usageSource}`).sort()).toEqual([
      "aborted:missing",
      "aborted:partial",
    ]);
    expect(events.find((e) => e.usageSource === "partial")!.costUsd).toBe(COST);
  });

  it("negative control: an uninstrumented session records nothing; restore() stops recording", async () => {
    const plain = await connect();
    await respond(plain);
    plain.close();
    let set: { restore(): void } | undefined;
    const rt = await connect((r) => (set = openaiInterceptor.instrumentClient!(r, env)));
    await respond(rt);
    set!.restore();
    await respond(rt);
    rt.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(await h.flushed()).toHaveLength(1);
  });

  it("input audio transcription: one event per transcribed item, priced at the transcription model's rates", async () => {
    const rt = await connect((r) => openaiInterceptor.instrumentClient!(r, env));
    for (const model of ["gpt-4o-transcribe", "whisper-1"]) {
      const updated = new Promise((r) => rt.once("session.updated", r));
      rt.send({
        type: "session.update",
        session: { type: "realtime", audio: { input: { transcription: { model } } } },
      });
      await updated;
      const done = new Promise((r) => rt.once("conversation.item.input_audio_transcription.completed", r));
      rt.send({ type: "input_audio_buffer.commit" });
      await done;
    }
    rt.close();
    const events = await eventsAfter(2);
    expect(events.map((e) => [e.operation, e.model, e.usageSource, e.costUsd])).toEqual([
      ["realtime_transcription", "gpt-4o-transcribe", "provider", "0.00615"],
      ["realtime_transcription", "whisper-1", "missing", null],
    ]);
    expect(events[0]!.usage).toMatchObject({
      uncachedInputTokens: 1000,
      inputAudioTokens: 900,
      outputTokens: 50,
    });
    expect(events[0]!.requestId).toMatch(/^item_/);
    expect(events[1]!.metadata).toMatchObject({ transcriptionSeconds: 3.2, realtimeSession: "sess_001" });
  });
});

describe("OpenAI Realtime sessions recorded by track() (no instrument(rt))", () => {
  // track() loads these subpaths like packages and patches the Realtime base class of each copy it finds; a
  // version without one of them (openai 7 may drop the beta copy) is skipped, as track() skips it.
  const loadable = (name: string): unknown => {
    try {
      return require(name);
    } catch {
      return undefined;
    }
  };
  const bases = () => REALTIME_MODULES.map(loadable).filter((m) => findRealtimeEmitter(m) !== undefined);
  const patchBases = () => bases().map((mod) => openaiInterceptor.patchModule(mod, env)!);

  it("the Realtime modules track() loads hold the base class it patches", () => {
    expect(openaiInterceptor.packageNames).toEqual(expect.arrayContaining(REALTIME_MODULES));
    // openai 6 (the project's copy) has both; under the openai 7 pass at least the GA one must be found.
    expect(bases().length).toBeGreaterThanOrEqual(process.env.TOKENLEDGER_TEST_OPENAI_DIR ? 1 : 2);
  });

  it("one event per response.done with exact realtime cost, attributed to the context at construction; a response open at close is aborted", async () => {
    const sets = patchBases();
    try {
      // instrument(rt) on a client track() already records is "already tracked" (an empty patch set), whether
      // it runs right after construction or mid-session: still one event per response.
      let early: { size: number } | undefined;
      const rt = await withContext({ teamId: "auto-voice" }, () =>
        connect((r) => (early = openaiInterceptor.instrumentClient!(r, env))),
      );
      expect(early?.size).toBe(0);
      await respond(rt);
      await respond(rt);
      expect(openaiInterceptor.instrumentClient!(rt, env)!.size).toBe(0);
      await respond(rt);
      const created = new Promise((r) => rt.once("response.created", r));
      rt.send({ type: "response.create", response: { metadata: { mode: "hold" } } });
      await created;
      rt.close();
      const events = await eventsAfter(4);
      await new Promise((r) => setTimeout(r, 30));
      expect(await h.flushed()).toHaveLength(4);
      const done = events.filter((e) => e.status === "ok");
      expect(done).toHaveLength(3);
      for (const e of done) {
        expect(e).toMatchObject({
          operation: "realtime",
          model: MODEL,
          costUsd: COST,
          teamId: "auto-voice",
          metadata: { realtimeSession: "sess_001" },
        });
        expect(e.usage).toMatchObject({
          inputAudioTokens: 700,
          outputAudioTokens: 500,
          cacheReadTokens: 400,
        });
      }
      expect(new Set(done.map((e) => e.requestId)).size).toBe(3);
      expect(events.find((e) => e.status !== "ok")).toMatchObject({
        status: "aborted",
        usageSource: "missing",
        teamId: "auto-voice",
      });
    } finally {
      for (const s of sets) s.restore();
    }
  });

  it("negative control: with the base class restored, a session records nothing", async () => {
    for (const s of patchBases()) s.restore();
    const rt = await connect();
    await respond(rt);
    rt.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(await h.flushed()).toHaveLength(0);
  });
});
