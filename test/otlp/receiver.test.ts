import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { providerRequestEventId } from "../../src/proxy/otlp/index.js";
import { STATUS_TYPE } from "../../src/proxy/otlp/schema.js";
import { fixture, receiverWithCapture } from "./support.js";

type R = Awaited<ReturnType<typeof receiverWithCapture>>;
let r: R | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

/** The fake upstream in the capture run answered 123 in / 7 cache read / 11 cache write / 45 out. */
const CAPTURED = {
  uncachedInputTokens: 123,
  cacheReadTokens: 7,
  cacheWrite5mTokens: 11,
  cacheWrite1hTokens: 0,
  outputTokens: 45,
};

function kv(key: string, value: Record<string, unknown>) {
  return { key, value };
}

/** A logs export with one Claude Code api_request record, attributes as given. */
function apiRequestExport(attributes: { key: string; value: Record<string, unknown> }[]) {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [kv("service.name", { stringValue: "claude-code" })] },
        scopeLogs: [
          {
            scope: { name: "com.anthropic.claude_code.events" },
            logRecords: [
              {
                timeUnixNano: "1796131529136000000",
                body: { stringValue: "claude_code.api_request" },
                attributes,
              },
            ],
          },
        ],
      },
    ],
  });
}

describe("OTLP receiver: Claude Code api_request events become ledger rows", () => {
  it.each([
    ["JSON", "logs.json", "application/json"],
    ["protobuf", "logs.pb", "application/x-protobuf"],
  ])(
    "%s export from the real Claude Code: one row with its exact tokens, priced by tokenledger",
    async (_, file, type) => {
      r = await receiverWithCapture();
      const res = await r.post("/v1/logs", fixture(file), { "content-type": type });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(type);
      const rows = await r.rows();
      // The export also holds user_prompt and assistant_response records: only the api_request is a billed call.
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row).toMatchObject({
        id: providerRequestEventId("anthropic", "req_011CTest000000000002"),
        provider: "anthropic",
        model: "claude-sonnet-4-6",
        operation: "messages",
        requestId: "req_011CTest000000000002",
        usageSource: "import",
        status: "ok",
        app: "claude-code",
        unpriced: false,
      });
      expect(row.usage).toMatchObject(CAPTURED);
      expect(row.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.metadata).toMatchObject({ source: "otlp", agent: "claude-code", agentVersion: "2.1.197" });
      // 123×$3 + 45×$15 + 7×$0.30 + 11×$3.75 per MTok, computed exactly by tokenledger's pricer; Claude Code's own
      // float (0.0010873500000000002) is kept only for comparison.
      expect(row.costUsd).toBe("0.00108735");
      expect(row.metadata?.agentCostUsd).toBe("0.0010873500000000002");
      // The call started duration_ms before the event.
      expect(row.latencyMs).toBeGreaterThan(0);
    },
  );

  it("answers the protobuf request with a protobuf ExportLogsServiceResponse and the JSON one with JSON", async () => {
    r = await receiverWithCapture();
    const json = await r.post("/v1/logs", fixture("logs.json"));
    expect(await json.json()).toEqual({ partialSuccess: {} });
    const pb = await r.post("/v1/logs", fixture("logs.pb"), { "content-type": "application/x-protobuf" });
    // An empty partialSuccess message: field 1, length 0.
    expect([...new Uint8Array(await pb.arrayBuffer())]).toEqual([0x0a, 0x00]);
  });

  it("a repeated export (an exporter retry) and a proxy row of the same request are stored once", async () => {
    r = await receiverWithCapture();
    await r.post("/v1/logs", fixture("logs.json"));
    await r.post("/v1/logs", fixture("logs.json"));
    // What the proxy records for the same call: the same id rule from the `request-id` response header.
    r.tracker.record({
      id: providerRequestEventId("anthropic", "req_011CTest000000000002"),
      provider: "anthropic",
      model: "claude-sonnet-4-6",
      usage: { uncachedInputTokens: 123, outputTokens: 45, cacheReadTokens: 7, cacheWrite5mTokens: 11 },
    });
    const rows = await r.rows();
    expect(rows).toHaveLength(1);
    // Negative control: another request id is another row.
    r.tracker.record({
      id: providerRequestEventId("anthropic", "req_other"),
      provider: "anthropic",
      model: "claude-sonnet-4-6",
      usage: { outputTokens: 1 },
    });
    expect(await r.rows()).toHaveLength(2);
  });

  it("reads counts sent as numeric strings, and flags non-numeric counts invalid instead of pricing them", async () => {
    r = await receiverWithCapture();
    const base = [
      kv("event.name", { stringValue: "api_request" }),
      kv("model", { stringValue: "claude-sonnet-4-6" }),
      kv("session.id", { stringValue: "s-1" }),
      kv("event.sequence", { intValue: 3 }),
    ];
    await r.post(
      "/v1/logs",
      apiRequestExport([
        ...base,
        kv("request_id", { stringValue: "req_strings" }),
        kv("input_tokens", { stringValue: "1000" }),
        kv("output_tokens", { intValue: "200" }),
        kv("cache_read_tokens", { stringValue: "0" }),
        kv("duration_ms", { stringValue: "1500" }),
      ]),
    );
    await r.post(
      "/v1/logs",
      apiRequestExport([
        ...base,
        kv("request_id", { stringValue: "req_garbage" }),
        kv("input_tokens", { stringValue: "lots" }),
        kv("output_tokens", { intValue: 5 }),
      ]),
    );
    const rows = await r.rows();
    const good = rows.find((e) => e.requestId === "req_strings")!;
    expect(good.usage).toMatchObject({ uncachedInputTokens: 1000, outputTokens: 200, cacheReadTokens: 0 });
    expect(good.latencyMs).toBe(1500);
    expect(good.timestamp.getTime()).toBe(1796131529136 - 1500);
    expect(good.costUsd).toBe("0.006"); // 1000×$3 + 200×$15 per MTok
    const bad = rows.find((e) => e.requestId === "req_garbage")!;
    expect(bad.usageSource).toBe("invalid");
    expect(bad.costUsd).toBeNull();
  });

  it("without a request id, the session and event sequence give a stable id (a retried export is one row)", async () => {
    r = await receiverWithCapture();
    const body = (seq: number) =>
      apiRequestExport([
        kv("model", { stringValue: "claude-sonnet-4-6" }),
        kv("session.id", { stringValue: "s-2" }),
        kv("event.sequence", { intValue: seq }),
        kv("event.timestamp", { stringValue: "2026-12-01T13:25:29.136Z" }),
        kv("input_tokens", { intValue: 10 }),
        kv("output_tokens", { intValue: 1 }),
      ]);
    await r.post("/v1/logs", body(1));
    await r.post("/v1/logs", body(1));
    await r.post("/v1/logs", body(2));
    const rows = await r.rows();
    expect(rows).toHaveLength(2);
    expect(rows.map((e) => e.sessionId)).toEqual(["s-2", "s-2"]);
  });

  it("reports an api_request without any token count as rejected in partialSuccess, and records nothing for it", async () => {
    r = await receiverWithCapture();
    const res = await r.post(
      "/v1/logs",
      apiRequestExport([kv("model", { stringValue: "claude-sonnet-4-6" })]),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: "1",
        errorMessage: "claude_code.api_request without token counts",
      },
    });
    expect(await r.rows()).toHaveLength(0);
  });

  it("accepts gzip-compressed exports (OTEL_EXPORTER_OTLP_COMPRESSION=gzip)", async () => {
    r = await receiverWithCapture();
    const res = await r.post("/v1/logs", gzipSync(fixture("logs.pb")), {
      "content-type": "application/x-protobuf",
      "content-encoding": "gzip",
    });
    expect(res.status).toBe(200);
    expect(await r.rows()).toHaveLength(1);
  });

  it("acknowledges metrics without turning them into rows (events are the single source; no double count)", async () => {
    r = await receiverWithCapture();
    const json = await r.post("/v1/metrics", fixture("metrics.json"));
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ partialSuccess: {} });
    const pb = await r.post("/v1/metrics", fixture("metrics.pb"), {
      "content-type": "application/x-protobuf",
    });
    expect(pb.status).toBe(200);
    expect(await r.rows()).toHaveLength(0);
  });
});

describe("OTLP receiver: bad requests get an OTLP error, never a crash or a row", () => {
  const decodeStatus = async (res: Response) =>
    STATUS_TYPE.toObject(STATUS_TYPE.decode(new Uint8Array(await res.arrayBuffer()))) as {
      code: number;
      message: string;
    };

  it("malformed JSON: 400 with a google.rpc.Status naming the signal", async () => {
    r = await receiverWithCapture();
    const res = await r.post("/v1/logs", '{"resourceLogs": [');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: number; message: string };
    expect(body.code).toBe(3);
    expect(body.message).toMatch(/^invalid OTLP logs request \(JSON\): /);
  });

  it.each([
    ["a JSON array", "[]", /must be a JSON object/],
    ["resourceLogs not an array", '{"resourceLogs": 5}', /resourceLogs must be an array/],
    ["a record list that is not a list", '{"resourceLogs": [{"scopeLogs": {"x": 1}}]}', /array expected/],
  ])("JSON of the wrong shape (%s): 400", async (_, body, message) => {
    r = await receiverWithCapture();
    const res = await r.post("/v1/logs", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
  });

  it("truncated protobuf: 400 with a protobuf Status", async () => {
    r = await receiverWithCapture();
    const res = await r.post("/v1/logs", fixture("logs.pb").subarray(0, 200), {
      "content-type": "application/x-protobuf",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/x-protobuf");
    const status = await decodeStatus(res);
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^invalid OTLP logs request \(protobuf\): /);
  });

  it("an unsupported Content-Type is 415 and a GET is 405 with Allow: POST", async () => {
    r = await receiverWithCapture();
    const res = await r.post("/v1/logs", "x", { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toContain("text/plain");
    const get = await fetch(`${r.url}/v1/traces`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("a body over the limit is 413, also when it only grows past it after gunzip", async () => {
    r = await receiverWithCapture({ maxBodyBytes: 4096 });
    const big = Buffer.alloc(10_000, 0x20);
    const res = await r.post("/v1/logs", big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toContain("4096 bytes");
    const bomb = await r.post("/v1/logs", gzipSync(Buffer.alloc(1_000_000, 0x20)), {
      "content-encoding": "gzip",
    });
    expect(bomb.status).toBe(413);
    const badGzip = await r.post("/v1/logs", "not gzip", { "content-encoding": "gzip" });
    expect(badGzip.status).toBe(400);
    // Still serving, and nothing was recorded from the refused bodies.
    const ok = await r.post("/v1/logs", fixture("logs.pb"), { "content-type": "application/x-protobuf" });
    expect(ok.status).toBe(200);
    expect(await r.rows()).toHaveLength(1);
  });

  it("other paths are left to the caller's router (handleOtlpRequest returns false)", async () => {
    r = await receiverWithCapture();
    const res = await r.post("/v1/messages", "{}");
    expect(res.status).toBe(404); // the stand-alone server's fallback, not a receiver answer
  });
});
