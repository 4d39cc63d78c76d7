/** A scalar attribute value: what OTLP's AnyValue holds, with 64-bit integers as numbers when they fit. */
export type AttributeValue = string | number | boolean;

/** One log record, flattened: its own attributes, its resource's, and the identifying fields. */
export interface OtlpLogRecord {
  /** The `event_name` field, else the body when it is a string (Claude Code puts the event name there). */
  readonly name: string | null;
  readonly attributes: ReadonlyMap<string, AttributeValue>;
  readonly resource: ReadonlyMap<string, AttributeValue>;
  /** Unix nanoseconds as a decimal string (64-bit), when set. */
  readonly timeUnixNano: string | null;
  readonly observedTimeUnixNano: string | null;
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v !== null && typeof v === "object" ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Every log record of a decoded ExportLogsServiceRequest, in order. */
export function* logRecordsOf(request: Obj): Generator<OtlpLogRecord> {
  for (const rl of list(request.resourceLogs)) {
    const resource = attributesOf(obj(obj(rl).resource).attributes);
    for (const sl of list(obj(rl).scopeLogs)) {
      for (const raw of list(obj(sl).logRecords)) {
        const r = obj(raw);
        const body = scalar(r.body);
        const eventName = typeof r.eventName === "string" && r.eventName !== "" ? r.eventName : null;
        yield {
          name: eventName ?? (typeof body === "string" ? body : null),
          attributes: attributesOf(r.attributes),
          resource,
          timeUnixNano: nanos(r.timeUnixNano),
          observedTimeUnixNano: nanos(r.observedTimeUnixNano),
        };
      }
    }
  }
}

function attributesOf(kvs: unknown): Map<string, AttributeValue> {
  const out = new Map<string, AttributeValue>();
  for (const kv of list(kvs)) {
    const key = obj(kv).key;
    const value = scalar(obj(kv).value);
    if (typeof key === "string" && value !== undefined) out.set(key, value);
  }
  return out;
}

/** AnyValue -> scalar; arrays, maps and bytes are not read (no usage field is one). */
function scalar(v: unknown): AttributeValue | undefined {
  const a = obj(v);
  if (typeof a.stringValue === "string") return a.stringValue;
  if (typeof a.boolValue === "boolean") return a.boolValue;
  if (typeof a.doubleValue === "number") return a.doubleValue;
  if (typeof a.intValue === "string" || typeof a.intValue === "number") {
    const n = Number(a.intValue);
    return Number.isSafeInteger(n) ? n : String(a.intValue);
  }
  return undefined;
}

function nanos(v: unknown): string | null {
  if (typeof v === "number" && v > 0) return String(v);
  if (typeof v === "string" && /^\d+$/.test(v) && v !== "0") return v;
  return null;
}
