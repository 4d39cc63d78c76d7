import { request as httpRequest, createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventsWhen, startHarness, until, type Harness } from "./harness.js";
import {
  MESSAGE_DELTA,
  MESSAGE_START,
  TEXT_DELTA,
  startScriptedUpstream,
  type ScriptedUpstream,
} from "./scripted-upstream.js";

const ANTHROPIC_HEADERS = {
  "content-type": "application/json",
  "x-api-key": "sk-ant-test-key-streaming",
  "anthropic-version": "2023-06-01",
};
const MESSAGES_BODY = JSON.stringify({
  model: "claude-sonnet-4-6",
  max_tokens: 50,
  stream: true,
  messages: [{ role: "user", content: "x" }],
});

let up: ScriptedUpstream;
let h: Harness;
beforeAll(async () => {
  up = await startScriptedUpstream();
  h = await startHarness({ upstreams: { anthropic: up.url, openai: up.url } });
});
afterAll(async () => {
  await h.close();
  await up.close();
});
afterEach(() => {
  up.received.length = 0;
});

/** A raw request through the proxy; resolves at the response headers. */
function post(
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = ANTHROPIC_HEADERS,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${h.proxy.url}${path}`, { method: "POST", headers }, resolve);
    req.on("error", reject);
    req.end(body);
  });
}

async function newEvents(before: number, n: number) {
  return (await eventsWhen(h, before + n)).slice(before);
}

describe("streaming transparency", () => {
  it("sends the upstream's headers to the client before the first body byte (idle upstream)", async () => {
    let bodySent = false;
    up.answer = (_r, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "x-upstream": "yes" });
      res.flushHeaders();
      setTimeout(() => {
        bodySent = true;
        res.end(MESSAGE_START);
      }, 1500);
    };
    const res = await post("/v1/messages", MESSAGES_BODY);
    expect(bodySent).toBe(false);
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-upstream"]).toBe("yes");
    res.destroy();
  });

  it("a paused client keeps the proxy from reading the upstream (backpressure), then gets every byte", async () => {
    const CHUNK = 256 * 1024;
    const COUNT = 256; // 64 MiB
    const payload = Buffer.alloc(CHUNK, 0x61);
    const state = { written: 0 };
    const answer = async (res: ServerResponse): Promise<void> => {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      for (let i = 0; i < COUNT && !res.destroyed; i++) {
        state.written += CHUNK;
        if (!res.write(payload)) await new Promise<void>((r) => res.once("drain", r));
      }
      res.end();
    };
    const pausedRead = async (base: string): Promise<{ heldBack: number; received: string }> => {
      state.written = 0;
      const res = await new Promise<IncomingMessage>((resolve) =>
        httpRequest(`${base}/v1/files/blob`, { method: "POST" }, resolve).end("{}"),
      );
      res.pause();
      // Wait until the upstream stops getting its writes through (it is blocked) or has sent everything.
      // Blocked means no progress over 3 checks in a row: on a starved machine one quiet 150 ms is not proof.
      let last = -1;
      for (let i = 0, still = 0; i < 100 && still < 3 && state.written < CHUNK * COUNT; i++) {
        still = state.written === last ? still + 1 : 0;
        last = state.written;
        await new Promise((r) => setTimeout(r, 150));
      }
      const heldBack = state.written;
      const hash = createHash("sha256");
      res.on("data", (c: Buffer) => hash.update(c));
      res.resume();
      await new Promise((r) => res.on("end", r));
      return { heldBack, received: hash.digest("hex") };
    };
    const expected = createHash("sha256");
    for (let i = 0; i < COUNT; i++) expected.update(payload);
    const digest = expected.digest("hex");

    up.answer = (_r, res) => void answer(res);
    const proxied = await pausedRead(h.proxy.url);
    expect(proxied.received).toBe(digest);
    expect(proxied.heldBack).toBeLessThan(24 * 1024 * 1024);

    // Negative control: a pass-through that ignores write() === false reads the whole 64 MiB meanwhile.
    const naive = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        httpRequest(`${up.url}${req.url}`, { method: "POST" }, (u) => {
          res.writeHead(u.statusCode ?? 502, u.headers);
          u.on("data", (c: Buffer) => res.write(c));
          u.on("end", () => res.end());
        }).end("{}");
      });
    });
    await new Promise<void>((r) => naive.listen(0, "127.0.0.1", r));
    const control = await pausedRead(`http://127.0.0.1:${(naive.address() as AddressInfo).port}`);
    naive.close();
    // It reads (nearly) everything; on a starved machine its upstream may pause >150 ms before the last chunks, so
    // the control asserts twice the proxy's bound rather than the exact total.
    expect(control.heldBack).toBeGreaterThan(48 * 1024 * 1024);
  });

  it("a client that disconnects aborts the upstream within 100 ms and is recorded once as aborted with partial usage", async () => {
    const before = (await h.events()).length;
    let upstreamClosedAt = 0;
    up.answer = (_r, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(MESSAGE_START);
      res.write(TEXT_DELTA);
      const t = setInterval(() => res.write(TEXT_DELTA), 20);
      res.on("close", () => {
        clearInterval(t);
        upstreamClosedAt = performance.now();
      });
    };
    const res = await post("/v1/messages", MESSAGES_BODY);
    await new Promise<void>((r) => res.once("data", () => r()));
    const abortedAt = performance.now();
    res.destroy();
    await until(() => upstreamClosedAt > 0, 2000);
    expect(upstreamClosedAt - abortedAt).toBeLessThan(100);
    const [e] = await newEvents(before, 1);
    expect(e).toMatchObject({ status: "aborted", usageSource: "partial", model: "claude-sonnet-4-6" });
    expect(e!.usage.uncachedInputTokens).toBe(321);
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.events()).length).toBe(before + 1);
  });

  it("an upstream cut mid-stream reaches the client as an error (not a clean end) and is recorded once as aborted", async () => {
    const before = (await h.events()).length;
    up.answer = (_r, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(MESSAGE_START + TEXT_DELTA + MESSAGE_DELTA(12));
      setTimeout(() => res.socket?.destroy(), 30);
    };
    const res = await post("/v1/messages", MESSAGES_BODY);
    const ended = await new Promise<string>((resolve) => {
      res.on("data", () => {});
      res.on("end", () => resolve("clean end"));
      res.on("error", () => resolve("error"));
      res.on("aborted", () => resolve("error"));
    });
    expect(ended).toBe("error");
    const [e] = await newEvents(before, 1);
    expect(e).toMatchObject({ status: "aborted", usageSource: "partial" });
    expect(e!.usage).toMatchObject({ uncachedInputTokens: 321, outputTokens: 12 });
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.events()).length).toBe(before + 1);
  });
});

describe("compressed answers", () => {
  it("a gzip JSON answer reaches the client compressed, byte for byte, and its usage is read from an inflated copy", async () => {
    const before = (await h.events()).length;
    const json = JSON.stringify({
      id: "resp_1",
      object: "response",
      model: "gpt-5-2025-08-07",
      status: "completed",
      usage: {
        input_tokens: 900,
        input_tokens_details: { cached_tokens: 100 },
        output_tokens: 40,
        output_tokens_details: { reasoning_tokens: 8 },
        total_tokens: 940,
      },
    });
    const gz = gzipSync(json);
    up.answer = (_r, res) => {
      res.writeHead(200, {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "content-length": gz.length,
      });
      res.end(gz);
    };
    const res = await post("/v1/responses", JSON.stringify({ model: "gpt-5", input: "x" }), {
      "content-type": "application/json",
      "accept-encoding": "gzip",
    });
    const parts: Buffer[] = [];
    res.on("data", (c: Buffer) => parts.push(c));
    await new Promise((r) => res.on("end", r));
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(Buffer.concat(parts).equals(gz)).toBe(true);
    expect(gunzipSync(Buffer.concat(parts)).toString()).toBe(json);
    const [e] = await newEvents(before, 1);
    expect(e).toMatchObject({
      operation: "responses",
      model: "gpt-5-2025-08-07",
      status: "ok",
      usageSource: "provider",
    });
    expect(e!.usage).toMatchObject({
      uncachedInputTokens: 800,
      cacheReadTokens: 100,
      outputTokens: 40,
      reasoningTokens: 8,
    });
  });
});

describe("bad input", () => {
  it("a malformed JSON request is forwarded byte for byte and leaves no row", async () => {
    const before = (await h.events()).length;
    const raw = Buffer.from('{"model": "gpt-4o", "messages": [ not json');
    up.answer = (_r, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { message: "We could not parse the JSON body", type: "invalid_request_error" },
        }),
      );
    };
    const res = await post("/v1/chat/completions", raw, {
      "content-type": "application/json",
      authorization: "Bearer sk-test-malformed-000000",
    });
    res.resume();
    await new Promise((r) => res.on("end", r));
    expect(res.statusCode).toBe(400);
    expect(up.received[0]!.body.equals(raw)).toBe(true);
    expect(up.received[0]!.headers.authorization).toBe("Bearer sk-test-malformed-000000");
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.events()).length).toBe(before);
  });

  it("a non-JSON answer and a broken SSE stream pass through unchanged and are recorded as errors", async () => {
    const before = (await h.events()).length;
    const html = "<html><body>502 Bad Gateway</body></html>";
    up.answer = (_r, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(html);
    };
    const body = JSON.stringify({ model: "gpt-4o", messages: [] });
    const r1 = await post("/v1/chat/completions", body, { "content-type": "application/json" });
    const text = await new Promise<string>((resolve) => {
      let s = "";
      r1.on("data", (c: Buffer) => (s += c.toString()));
      r1.on("end", () => resolve(s));
    });
    expect(text).toBe(html);

    const broken =
      'data: {"id":"c1","model":"gpt-4o","choices":[{"delta":{"content":"a"}}]}\n\ndata: {broken\n\n';
    up.answer = (_r, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(broken);
    };
    const r2 = await post(
      "/v1/chat/completions",
      JSON.stringify({ model: "gpt-4o", stream: true, messages: [] }),
      { "content-type": "application/json" },
    );
    const text2 = await new Promise<string>((resolve) => {
      let s = "";
      r2.on("data", (c: Buffer) => (s += c.toString()));
      r2.on("end", () => resolve(s));
    });
    expect(text2).toBe(broken);
    const events = await newEvents(before, 2);
    // Chat chunks after the first content are parsed only when they carry usage (that keeps the tap cheap), so a
    // broken content chunk shows as a stream that never reached `[DONE]`.
    expect(events.map((e) => [e.status, e.errorType])).toEqual([
      ["error", "MalformedResponse"],
      ["error", "IncompleteStream"],
    ]);
  });

  it("an unrecognised /v1 path passes through; it is recorded only when its answer carries usage", async () => {
    const before = (await h.events()).length;
    up.answer = (r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        r.path.startsWith("/v1/files")
          ? JSON.stringify({ data: [] })
          : JSON.stringify({
              id: "x",
              model: "gpt-4o-mini",
              usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
            }),
      );
    };
    for (const path of ["/v1/files", "/v1/completions"]) {
      const res = await post(path, JSON.stringify({ model: "gpt-4o-mini", prompt: "x" }), {
        "content-type": "application/json",
      });
      res.resume();
      await new Promise((r) => res.on("end", r));
    }
    const events = await newEvents(before, 1);
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.events()).length).toBe(before + 1);
    expect(events[0]).toMatchObject({ operation: "passthrough", model: "gpt-4o-mini", status: "ok" });
    expect(events[0]!.usage).toMatchObject({ uncachedInputTokens: 7, outputTokens: 3 });
  });

  it("a WebSocket upgrade on /v1/responses is refused with 426 so the client uses HTTP", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${h.proxy.url}/v1/responses`, {
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
      });
      req.on("response", (res) => resolve(res.statusCode ?? 0));
      req.on("upgrade", () => reject(new Error("upgraded")));
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(426);
    expect(up.received).toHaveLength(0);
  });
});

describe("credentials", () => {
  it("an upstream error that echoes the caller's key is stored without it", async () => {
    const before = (await h.events()).length;
    const key = "opaque-gateway-token-7f3a9c2e41";
    up.answer = (_r, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: { message: `Incorrect API key provided: ${key}`, type: "invalid_request_error" },
        }),
      );
    };
    const res = await post("/v1/chat/completions", JSON.stringify({ model: "gpt-4o", messages: [] }), {
      "content-type": "application/json",
      authorization: `Bearer ${key}`,
    });
    res.resume();
    await new Promise((r) => res.on("end", r));
    const [e] = await newEvents(before, 1);
    expect(e).toMatchObject({ status: "error", httpStatus: 401 });
    expect(e!.errorMessage).toContain("Incorrect API key provided");
    expect(JSON.stringify(e)).not.toContain(key);
    expect(h.logs.join("\n")).not.toContain(key);
  });
});

describe("limits and early aborts", () => {
  it("a body over maxRequestBytes gets 413 in the upstream's error shape and is never sent", async () => {
    const small = await startHarness({
      upstreams: { anthropic: up.url, openai: up.url },
      maxRequestBytes: 1000,
    });
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = httpRequest(
          `${small.proxy.url}/v1/messages`,
          { method: "POST", headers: ANTHROPIC_HEADERS },
          resolve,
        );
        req.on("error", reject);
        req.end(
          JSON.stringify({
            model: "claude-sonnet-4-6",
            messages: [{ role: "user", content: "x".repeat(5000) }],
          }),
        );
      });
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      await new Promise((r) => res.on("end", r));
      expect(res.statusCode).toBe(413);
      expect(JSON.parse(text)).toMatchObject({ type: "error", error: { type: "request_too_large" } });
      expect(up.received).toHaveLength(0);
    } finally {
      await small.close();
    }
  });

  it("a client that leaves before the upstream's headers aborts the upstream request and is recorded as aborted", async () => {
    const before = (await h.events()).length;
    let upstreamClosed = false;
    up.answer = (_r, res) => {
      res.on("close", () => (upstreamClosed = true)); // never answers
    };
    const req = httpRequest(`${h.proxy.url}/v1/messages`, { method: "POST", headers: ANTHROPIC_HEADERS });
    req.on("error", () => {});
    req.end(MESSAGES_BODY);
    await until(() => up.received.length === 1);
    req.destroy();
    await until(() => upstreamClosed, 2000);
    const [e] = await newEvents(before, 1);
    expect(e).toMatchObject({ status: "aborted", requestedModel: "claude-sonnet-4-6" });
  });
});
