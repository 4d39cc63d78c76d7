import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One decoded OTLP/HTTP JSON export request. */
export interface OtlpRequest {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly headers: IncomingMessage["headers"];
  readonly body: any;
}

export interface OtlpReceiver {
  readonly url: string;
  readonly requests: OtlpRequest[];
  /** Status to answer with (default 200). */
  status: number;
  /** Hold every request without answering (a collector that hangs). */
  hang: boolean;
  /** Every span in every trace export, attributes flattened to plain values. */
  spans(): { name: string; kind: number; parentSpanId: string; attributes: Record<string, unknown> }[];
  /** Every metric name seen, with its data points' attributes flattened. */
  metrics(): Map<string, any[]>;
  close(): Promise<void>;
}

/** A stand-in OpenTelemetry collector: OTLP/HTTP with JSON bodies, on 127.0.0.1. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpRequest[] = [];
  const held: ServerResponse[] = [];
  const state = { status: 200, hang: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      requests.push({
        path: req.url ?? "",
        contentType: req.headers["content-type"],
        headers: req.headers,
        body: raw ? JSON.parse(raw) : null,
      });
      if (state.hang) {
        held.push(res);
        return;
      }
      res.writeHead(state.status, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get status() {
      return state.status;
    },
    set status(v: number) {
      state.status = v;
    },
    get hang() {
      return state.hang;
    },
    set hang(v: boolean) {
      state.hang = v;
    },
    spans: () =>
      requests
        .filter((r) => r.path === "/v1/traces")
        .flatMap((r) => r.body.resourceSpans)
        .flatMap((rs: any) => rs.scopeSpans)
        .flatMap((ss: any) => ss.spans)
        .map((s: any) => ({
          name: s.name,
          kind: s.kind,
          parentSpanId: s.parentSpanId ?? "",
          attributes: flatten(s.attributes),
        })),
    metrics: () => {
      const out = new Map<string, any[]>();
      for (const r of requests.filter((x) => x.path === "/v1/metrics")) {
        for (const rm of r.body.resourceMetrics)
          for (const sm of rm.scopeMetrics)
            for (const m of sm.metrics) {
              const points = m.histogram?.dataPoints ?? m.sum?.dataPoints ?? m.gauge?.dataPoints ?? [];
              out.set(m.name, [
                ...(out.get(m.name) ?? []),
                ...points.map((p: any) => ({ ...p, attributes: flatten(p.attributes) })),
              ]);
            }
      }
      return out;
    },
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** OTLP JSON `KeyValue[]` → `{ key: plain value }` (int64 arrive as strings in the JSON mapping). */
function flatten(kvs: any[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) {
    const v = kv.value ?? {};
    if ("stringValue" in v) out[kv.key] = v.stringValue;
    else if ("boolValue" in v) out[kv.key] = v.boolValue;
    else if ("intValue" in v) out[kv.key] = Number(v.intValue);
    else if ("doubleValue" in v) out[kv.key] = v.doubleValue;
  }
  return out;
}
