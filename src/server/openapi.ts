import { z } from "zod";
import { BudgetBodySchema, BudgetSchema, BudgetStatusSchema } from "./schemas/budget.js";
import { LoginBodySchema, SessionResponseSchema } from "./schemas/principal.js";
import {
  AckBodySchema,
  AggregateQuerySchema,
  AlertsQuerySchema,
  AuditQuerySchema,
  LatencyQuerySchema,
  UsageQuerySchema,
} from "./schemas/queries.js";
import { IngestBodySchema, IngestResultSchema, WireEventSchema } from "./schemas/wire-event.js";

type Json = Record<string, unknown>;

const schema = (s: z.ZodType): Json =>
  z.toJSONSchema(s, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Json;

/** Query parameters from a zod object schema (the request validators themselves, so docs cannot drift). */
function queryParams(s: z.ZodType): Json[] {
  const js = schema(s) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({
    name,
    in: "query",
    required: js.required?.includes(name) ?? false,
    schema: p,
  }));
}

const ERROR = {
  description: "Error",
  content: {
    "application/json": {
      schema: schema(
        z.object({
          error: z.object({
            code: z.enum([
              "bad_request",
              "unauthorized",
              "forbidden",
              "not_found",
              "conflict",
              "payload_too_large",
              "rate_limited",
              "internal",
            ]),
            message: z.string(),
            field: z.string().optional(),
          }),
        }),
      ),
    },
  },
};

const json = (s: Json | z.ZodType, description = "OK") => ({
  description,
  content: { "application/json": { schema: s instanceof z.ZodType ? schema(s) : s } },
});
const body = (s: z.ZodType) => ({ required: true, content: { "application/json": { schema: schema(s) } } });
const errors = { "400": ERROR, "401": ERROR, "403": ERROR, "429": ERROR };
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];

const measures = {
  type: "object",
  description: "RollupMeasures (src/core/query.ts); costUsd is an exact decimal string",
  additionalProperties: true,
};

/** Liveness and readiness: no key needed. */
function healthPaths(): Json {
  return {
    "/healthz": {
      get: { security: [], responses: { "200": json(z.object({ status: z.literal("ok") })) } },
    },
    "/readyz": {
      get: { security: [], responses: { "200": json(z.object({ status: z.string() })), "503": ERROR } },
    },
  };
}

/** Ingest and the event listing. */
function usagePaths(): Json {
  return {
    "/api/v1/usage": {
      post: {
        summary: "Ingest up to 1000 events, idempotent by id (roles admin, ingest)",
        requestBody: body(IngestBodySchema),
        responses: { "200": json(IngestResultSchema), "413": ERROR, ...errors },
      },
      get: {
        summary: "Stored events, oldest first, cursor-paged (scope applied)",
        parameters: queryParams(UsageQuerySchema),
        responses: {
          "200": json({
            type: "object",
            properties: {
              events: { type: "array", items: { $ref: "#/components/schemas/WireEvent" } },
              nextCursor: { type: ["string", "null"] },
            },
          }),
          ...errors,
        },
      },
    },
  };
}

/** Aggregates read from the rollups, and latency percentiles. */
function reportPaths(): Json {
  return {
    "/api/v1/costs/aggregate": {
      get: {
        summary: "Cost rollup (the SDK's RollupResult); group_by from a whitelist",
        parameters: queryParams(AggregateQuerySchema),
        responses: {
          "200": json({
            type: "object",
            properties: { rows: { type: "array", items: measures }, totals: measures },
          }),
          ...errors,
        },
      },
    },
    "/api/v1/latency": {
      get: {
        summary: "Latency percentiles (p50, p95, p99) per group",
        parameters: queryParams(LatencyQuerySchema),
        responses: { "200": json({ type: "object" }), ...errors },
      },
    },
  };
}

/** Budgets CRUD and status. */
function budgetPaths(): Json {
  return {
    "/api/v1/budgets": {
      get: { responses: { "200": json(z.object({ budgets: z.array(BudgetSchema) })), ...errors } },
      post: {
        requestBody: body(BudgetBodySchema),
        responses: { "201": json(BudgetSchema), "409": ERROR, ...errors },
      },
    },
    "/api/v1/budgets/{id}": {
      get: { parameters: idParam, responses: { "200": json(BudgetSchema), "404": ERROR, ...errors } },
      put: {
        parameters: idParam,
        requestBody: body(BudgetBodySchema),
        responses: { "200": json(BudgetSchema), "404": ERROR, ...errors },
      },
      delete: {
        parameters: idParam,
        responses: { "204": { description: "Deleted" }, "404": ERROR, ...errors },
      },
    },
    "/api/v1/budgets/{id}/status": {
      get: { parameters: idParam, responses: { "200": json(BudgetStatusSchema), "404": ERROR, ...errors } },
    },
  };
}

/** Alerts, their ack, and the audit trail. */
function alertAuditPaths(): Json {
  return {
    "/api/v1/alerts": {
      get: {
        parameters: queryParams(AlertsQuerySchema),
        responses: { "200": json({ type: "object" }), ...errors },
      },
    },
    "/api/v1/alerts/ack": {
      post: {
        requestBody: body(AckBodySchema),
        responses: { "200": json(z.object({ acked: z.number() })), ...errors },
      },
    },
    "/api/v1/audit": {
      get: {
        parameters: queryParams(AuditQuerySchema),
        responses: { "200": json({ type: "object" }), ...errors },
      },
    },
  };
}

/** Dashboard login (a key exchanged for a session cookie) and this document. */
function sessionPaths(): Json {
  return {
    "/api/v1/session": {
      post: {
        security: [],
        requestBody: body(LoginBodySchema),
        responses: { "200": json(SessionResponseSchema), ...errors },
      },
      get: { responses: { "200": json(SessionResponseSchema), ...errors } },
      delete: { responses: { "204": { description: "Logged out" }, ...errors } },
    },
    "/api/v1/openapi.json": { get: { security: [], responses: { "200": json({ type: "object" }) } } },
  };
}

/** The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the routes validate with. */
export function openApiDocument(version: string): Json {
  return {
    openapi: "3.1.0",
    info: { title: "tokenledger API", version },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "tl_<prefix>_<secret>" },
        session: { type: "apiKey", in: "cookie", name: "tl_session" },
      },
      schemas: { WireEvent: schema(WireEventSchema) },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      ...healthPaths(),
      ...usagePaths(),
      ...reportPaths(),
      ...budgetPaths(),
      ...alertAuditPaths(),
      ...sessionPaths(),
    },
  };
}
