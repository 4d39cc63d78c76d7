import protobuf from "protobufjs/light.js";

/**
 * The parts of the OTLP protobuf schema (opentelemetry-proto v1, collector/*_service.proto) the receiver reads,
 * as a protobufjs JSON descriptor: field names are the proto3 JSON names (camelCase), so the binary and the
 * OTLP/JSON encodings decode to the same object. Fields left out are skipped by the decoder (trace and span ids,
 * whose JSON form is hex rather than base64, among them). Metrics and traces are acknowledged, not read: their
 * top-level entries are kept as raw bytes, which still checks the framing of the body.
 */
const descriptor = {
  nested: {
    AnyValue: {
      fields: {
        stringValue: { type: "string", id: 1 },
        boolValue: { type: "bool", id: 2 },
        intValue: { type: "int64", id: 3 },
        doubleValue: { type: "double", id: 4 },
        arrayValue: { type: "ArrayValue", id: 5 },
        kvlistValue: { type: "KeyValueList", id: 6 },
        bytesValue: { type: "bytes", id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: "repeated", type: "AnyValue", id: 1 } } },
    KeyValueList: { fields: { values: { rule: "repeated", type: "KeyValue", id: 1 } } },
    KeyValue: { fields: { key: { type: "string", id: 1 }, value: { type: "AnyValue", id: 2 } } },
    Resource: { fields: { attributes: { rule: "repeated", type: "KeyValue", id: 1 } } },
    InstrumentationScope: {
      fields: { name: { type: "string", id: 1 }, version: { type: "string", id: 2 } },
    },
    LogRecord: {
      fields: {
        timeUnixNano: { type: "fixed64", id: 1 },
        severityNumber: { type: "int32", id: 2 },
        severityText: { type: "string", id: 3 },
        body: { type: "AnyValue", id: 5 },
        attributes: { rule: "repeated", type: "KeyValue", id: 6 },
        observedTimeUnixNano: { type: "fixed64", id: 11 },
        eventName: { type: "string", id: 12 },
      },
    },
    ScopeLogs: {
      fields: {
        scope: { type: "InstrumentationScope", id: 1 },
        logRecords: { rule: "repeated", type: "LogRecord", id: 2 },
      },
    },
    ResourceLogs: {
      fields: {
        resource: { type: "Resource", id: 1 },
        scopeLogs: { rule: "repeated", type: "ScopeLogs", id: 2 },
      },
    },
    ExportLogsServiceRequest: {
      fields: { resourceLogs: { rule: "repeated", type: "ResourceLogs", id: 1 } },
    },
    ExportMetricsServiceRequest: {
      fields: { resourceMetrics: { rule: "repeated", type: "bytes", id: 1 } },
    },
    ExportTraceServiceRequest: {
      fields: { resourceSpans: { rule: "repeated", type: "bytes", id: 1 } },
    },
    ExportLogsPartialSuccess: {
      fields: {
        rejectedLogRecords: { type: "int64", id: 1 },
        errorMessage: { type: "string", id: 2 },
      },
    },
    ExportLogsServiceResponse: { fields: { partialSuccess: { type: "ExportLogsPartialSuccess", id: 1 } } },
    ExportMetricsPartialSuccess: {
      fields: {
        rejectedDataPoints: { type: "int64", id: 1 },
        errorMessage: { type: "string", id: 2 },
      },
    },
    ExportMetricsServiceResponse: {
      fields: { partialSuccess: { type: "ExportMetricsPartialSuccess", id: 1 } },
    },
    ExportTracePartialSuccess: {
      fields: {
        rejectedSpans: { type: "int64", id: 1 },
        errorMessage: { type: "string", id: 2 },
      },
    },
    ExportTraceServiceResponse: { fields: { partialSuccess: { type: "ExportTracePartialSuccess", id: 1 } } },
    /** google.rpc.Status, the body of an OTLP/HTTP error answer. */
    Status: { fields: { code: { type: "int32", id: 1 }, message: { type: "string", id: 2 } } },
  },
};

const root = protobuf.Root.fromJSON(descriptor);

export type OtlpSignal = "logs" | "metrics" | "traces";

export const REQUEST_TYPES: Readonly<Record<OtlpSignal, protobuf.Type>> = {
  logs: root.lookupType("ExportLogsServiceRequest"),
  metrics: root.lookupType("ExportMetricsServiceRequest"),
  traces: root.lookupType("ExportTraceServiceRequest"),
};

export const RESPONSE_TYPES: Readonly<Record<OtlpSignal, protobuf.Type>> = {
  logs: root.lookupType("ExportLogsServiceResponse"),
  metrics: root.lookupType("ExportMetricsServiceResponse"),
  traces: root.lookupType("ExportTraceServiceResponse"),
};

/** The rejected-count field of each signal's partial success. */
export const REJECTED_FIELD: Readonly<Record<OtlpSignal, string>> = {
  logs: "rejectedLogRecords",
  metrics: "rejectedDataPoints",
  traces: "rejectedSpans",
};

export const STATUS_TYPE: protobuf.Type = root.lookupType("Status");

/** How decoded messages become plain objects: 64-bit integers as decimal strings, bytes as base64. */
export const TO_OBJECT: protobuf.IConversionOptions = { longs: String, bytes: String, defaults: false };
