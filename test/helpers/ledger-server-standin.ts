/**
 * STAND-IN for `tokenledger serve` (branch issue-15-api), written from /work/wt/api-contract.md so the remote-ingest
 * tests can run before the real server is merged. It implements only what the ingest client and `report --server`
 * use: `POST /api/v1/usage` (Bearer key, whole-batch validation with `error.field`, idempotency by id with
 * created/duplicate/conflict results) and `GET /api/v1/costs/aggregate` (the SDK's RollupResult from real storage).
 * After the merge, `startTestLedgerServer()` should start the real server instead; tests only go through it.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  DIMENSIONS,
  EMPTY_USAGE,
  TIME_BUCKETS,
  type Dimension,
  type LedgerEvent,
  type RollupQuery,
  type StorageAdapter,
  type TimeBucket,
} from "tokenledger";

export const TEST_API_KEY = "tl_test0001_0123456789abcdefghijklmnopqrstuvwxyzABCD";

export interface TestLedgerServerOptions {
  /** Where accepted events go (SQLite or PostgreSQL storage, opened by the caller). */
  readonly storage: StorageAdapter;
  readonly apiKey?: string;
  /** Delay each POST answer (to make concurrent senders overlap in race tests). */
  readonly responseDelayMs?: number;
}

export interface TestLedgerServer {
  /** `tokenledger+http://127.0.0.1:<port>`: the value a client passes as its storage URL. */
  readonly url: string;
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  readonly apiKey: string;
  /** What the server answered so far (every POST, every event). */
  readonly counts: {
    requests: number;
    created: number;
    duplicates: number;
    conflicts: number;
    badRequests: number;
  };
  /** Stop listening and cut open connections (state and storage kept): the server is "down". */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  /** Stop; the caller closes the storage. */
  close(): Promise<void>;
}

const MEASURE_ORDERS = ["cost", "requests", "tokens", "period"] as const;

class BadRequest extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Start the stand-in on 127.0.0.1 (a free port). */
export async function startTestLedgerServer(o: TestLedgerServerOptions): Promise<TestLedgerServer> {
  const apiKey = o.apiKey ?? TEST_API_KEY;
  const counts = { requests: 0, created: 0, duplicates: 0, conflicts: 0, badRequests: 0 };
  // id -> content hash (null: stored before this server started; any resend counts as a duplicate).
  const seen = new Map<string, string | null>();
  for await (const e of o.storage.events({ since: new Date(0) })) seen.set(e.id, null);
  let chain: Promise<unknown> = Promise.resolve();

  const ingest = async (body: unknown) => {
    const events = validateBatch(body);
    // One batch at a time: two concurrent requests with one id must not both count it as created.
    const run = chain.then(async () => {
      const results: { id: string; status: string }[] = [];
      const fresh: LedgerEvent[] = [];
      for (const { wire, event } of events) {
        const hash = createHash("sha256").update(JSON.stringify(wire)).digest("hex");
        const prior = seen.get(event.id);
        if (prior === undefined && !fresh.some((f) => f.id === event.id)) {
          fresh.push(event);
          seen.set(event.id, hash);
          results.push({ id: event.id, status: "created" });
        } else if (prior === null || prior === hash || prior === undefined) {
          results.push({ id: event.id, status: "duplicate" });
        } else {
          results.push({ id: event.id, status: "conflict" });
        }
      }
      try {
        if (fresh.length > 0) await o.storage.insertBatch(fresh);
      } catch (err) {
        for (const f of fresh) seen.delete(f.id);
        throw err;
      }
      const n = (s: string) => results.filter((r) => r.status === s).length;
      counts.created += n("created");
      counts.duplicates += n("duplicate");
      counts.conflicts += n("conflict");
      return { results, created: n("created"), duplicates: n("duplicate"), conflicts: n("conflict") };
    });
    chain = run.catch(() => undefined);
    return run;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/healthz") return send(res, 200, { status: "ok" });
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return sendError(res, 401, "unauthorized", "missing or unknown API key");
    if (req.method === "POST" && url.pathname === "/api/v1/usage") {
      counts.requests++;
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req, 5 * 1024 * 1024));
      } catch (err) {
        if ((err as Error).message === "too large")
          return sendError(res, 413, "payload_too_large", "body over 5 MB");
        counts.badRequests++;
        return sendError(res, 400, "bad_request", "body is not JSON");
      }
      try {
        const out = await ingest(body);
        if (o.responseDelayMs) await new Promise((r) => setTimeout(r, o.responseDelayMs));
        return send(res, 200, out);
      } catch (err) {
        if (err instanceof BadRequest) {
          counts.badRequests++;
          return sendError(res, 400, "bad_request", err.message, err.field);
        }
        return sendError(res, 500, "internal", "storage failed");
      }
    }
    if (req.method === "GET" && url.pathname === "/api/v1/costs/aggregate") {
      try {
        return send(res, 200, await o.storage.rollup(aggregateQuery(url.searchParams)));
      } catch (err) {
        if (err instanceof BadRequest) return sendError(res, 400, "bad_request", err.message, err.field);
        return sendError(res, 500, "internal", "query failed");
      }
    }
    return sendError(res, 404, "not_found", `no route ${req.method} ${url.pathname}`);
  };

  let server: Server | undefined;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((req, res) => {
        handle(req, res).catch(() => sendError(res, 500, "internal", "unexpected"));
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    s.closeAllConnections();
    await closed;
  };
  await start();
  return {
    url: `tokenledger+http://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    apiKey,
    counts,
    stop,
    start,
    close: stop,
  };
}

function validateBatch(body: unknown): { wire: Record<string, unknown>; event: LedgerEvent }[] {
  const events = (body as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) throw new BadRequest("events must be an array", "events");
  if (events.length < 1 || events.length > 1000)
    throw new BadRequest("events must hold 1 to 1000 items", "events");
  return events.map((w: unknown, i) => {
    const f = (name: string) => `events[${i}].${name}`;
    if (typeof w !== "object" || w === null) throw new BadRequest("not an object", `events[${i}]`);
    const e = w as Record<string, unknown>;
    // As the real server: the events table keys on a UUID (the SDK's UUIDv7), lowercase.
    if (
      typeof e.id !== "string" ||
      !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(e.id)
    )
      throw new BadRequest("id must be a lowercase UUID", f("id"));
    const ts = typeof e.timestamp === "string" ? new Date(e.timestamp) : null;
    if (!ts || Number.isNaN(ts.getTime()))
      throw new BadRequest("timestamp must be an ISO-8601 time", f("timestamp"));
    if (typeof e.provider !== "string" || e.provider === "")
      throw new BadRequest("provider is required", f("provider"));
    if (typeof e.usage !== "object" || e.usage === null)
      throw new BadRequest("usage is required", f("usage"));
    if (
      e.costUsd !== undefined &&
      e.costUsd !== null &&
      !(typeof e.costUsd === "string" && /^\d+(\.\d+)?$/.test(e.costUsd))
    )
      throw new BadRequest("costUsd must be a decimal string or null", f("costUsd"));
    const str = (k: string) => (typeof e[k] === "string" ? (e[k] as string) : null);
    const event: LedgerEvent = {
      id: e.id,
      timestamp: ts,
      provider: e.provider,
      model: str("model") ?? "",
      requestedModel: str("requestedModel"),
      operation: str("operation") ?? "chat",
      streamed: e.streamed === true,
      status: (str("status") ?? "ok") as LedgerEvent["status"],
      errorType: str("errorType"),
      httpStatus: typeof e.httpStatus === "number" ? e.httpStatus : null,
      errorMessage: str("errorMessage"),
      latencyMs: typeof e.latencyMs === "number" ? e.latencyMs : null,
      timeToFirstTokenMs: typeof e.timeToFirstTokenMs === "number" ? e.timeToFirstTokenMs : null,
      requestId: str("requestId"),
      usage: { ...EMPTY_USAGE, ...(e.usage as object) },
      usageSource: (str("usageSource") ?? "provider") as LedgerEvent["usageSource"],
      serviceTier: str("serviceTier"),
      batch: e.batch === true,
      costUsd: str("costUsd"),
      unpriced: str("costUsd") === null,
      pricingKey: str("pricingKey"),
      userId: str("userId"),
      teamId: str("teamId"),
      projectId: str("projectId"),
      feature: str("feature"),
      costCenter: str("costCenter"),
      sessionId: str("sessionId"),
      traceId: str("traceId"),
      environment: str("environment"),
      app: str("app"),
      metadata: { ...((e.metadata as object | null) ?? {}), apiKeyId: "standin" },
      sampleWeight: typeof e.sampleWeight === "number" ? e.sampleWeight : 1,
    };
    return { wire: e, event };
  });
}

function aggregateQuery(p: URLSearchParams): RollupQuery {
  const date = (name: string, fallback: Date) => {
    const v = p.get(name);
    if (v === null) return fallback;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw new BadRequest(`${name} is not a date`, name);
    return d;
  };
  const groupBy = (p.get("group_by") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const g of groupBy)
    if (!(DIMENSIONS as readonly string[]).includes(g) || g === "session")
      throw new BadRequest(`cannot group by ${g}`, "group_by");
  const granularity = p.get("granularity");
  if (granularity !== null && !(TIME_BUCKETS as readonly string[]).includes(granularity))
    throw new BadRequest("granularity must be hour, day, week or month", "granularity");
  const orderBy = p.get("order_by");
  if (orderBy !== null && !(MEASURE_ORDERS as readonly string[]).includes(orderBy))
    throw new BadRequest("bad order_by", "order_by");
  const where: Partial<Record<Dimension, string[]>> = {};
  for (const d of DIMENSIONS) {
    const values = p.getAll(d);
    if (values.length > 0) where[d] = values;
  }
  const limit = p.get("limit");
  // As the real server (contract change 14:25): to defaults to the end of the current UTC hour, from to 30 days before.
  const until = date("to", new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000));
  return {
    since: date("from", new Date(until.getTime() - 30 * 86_400_000)),
    until,
    groupBy: groupBy as Dimension[],
    ...(granularity ? { bucket: granularity as TimeBucket, timeZone: p.get("tz") ?? "UTC" } : {}),
    ...(Object.keys(where).length > 0 ? { where } : {}),
    ...(orderBy ? { orderBy: orderBy as RollupQuery["orderBy"] } : {}),
    ...(limit ? { limit: Number(limit) } : {}),
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error("too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, code: string, message: string, field?: string): void {
  send(res, status, { error: { code, message, ...(field ? { field } : {}) } });
}
