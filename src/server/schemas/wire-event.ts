import { z } from "zod";
import { USAGE_KEYS } from "../../core/buckets.js";

const count = z.number().int().nonnegative();
const text = (max = 200) => z.string().max(max).nullable().optional();
const ms = z.number().nonnegative().finite().nullable().optional();

/** NormalizedUsage on the wire: every count optional (missing is 0), no other keys. */
export const WireUsageSchema = z.strictObject(
  Object.fromEntries(USAGE_KEYS.map((k) => [k, count.optional()])) as Record<
    (typeof USAGE_KEYS)[number],
    z.ZodOptional<typeof count>
  >,
);

/** ISO-8601 date-time with a zone (`Z` or an offset), as JSON.stringify writes a Date. */
export const IsoDateTime = z.iso
  .datetime({ offset: true })
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: "not a real date-time" });

/**
 * A LedgerEvent as JSON (src/core/event.ts): what the SDK's remote backend sends. Required: id, timestamp,
 * provider, usage. `costUsd` absent: the server prices the event; present (string or null): kept as sent.
 */
export const WireEventSchema = z.strictObject({
  // The events table keys on a UUID (PostgreSQL's uuid type); lowercase, as the database gives it back.
  id: z
    .string()
    .regex(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      "a lowercase UUID (the SDK's UUIDv7)",
    ),
  timestamp: IsoDateTime,
  provider: z.string().min(1).max(100),
  model: text(300),
  requestedModel: text(300),
  operation: z.string().min(1).max(100).optional(),
  streamed: z.boolean().optional(),
  status: z.enum(["ok", "error", "aborted"]).optional(),
  errorType: text(200),
  httpStatus: z.number().int().min(0).max(999).nullable().optional(),
  errorMessage: text(10_000),
  latencyMs: ms,
  timeToFirstTokenMs: ms,
  requestId: text(300),
  responseId: text(300),
  finishReasons: z.array(z.string().max(100)).max(16).nullable().optional(),
  usage: WireUsageSchema,
  usageSource: z.enum(["provider", "partial", "missing", "manual", "import", "invalid"]).optional(),
  serviceTier: text(100),
  batch: z.boolean().optional(),
  costUsd: z
    .string()
    .regex(/^\d{1,18}(\.\d{1,12})?$/, "a non-negative decimal string of USD, at most 12 decimals")
    .nullable()
    .optional(),
  unpriced: z.boolean().optional(),
  pricingKey: text(300),
  userId: text(),
  teamId: text(),
  projectId: text(),
  feature: text(),
  costCenter: text(),
  sessionId: text(),
  traceId: text(),
  environment: text(),
  app: text(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  sampleWeight: z.number().positive().finite().optional(),
  // Failover columns (tokenledger/failover), absent on events that did not go through a failover group.
  requestedTarget: z.string().min(1).max(300).optional(),
  effectiveTarget: z.string().min(1).max(300).optional(),
  attempt: z.number().int().positive().max(1000).optional(),
  failoverReason: z.string().min(1).max(100).optional(),
});
export type WireEvent = z.infer<typeof WireEventSchema>;

export const IngestBodySchema = z.strictObject({
  events: z
    .array(WireEventSchema)
    .min(1, "send 1 to 1000 events")
    .max(1000, "at most 1000 events per request"),
});

export const IngestResultSchema = z.object({
  results: z.array(z.object({ id: z.string(), status: z.enum(["created", "duplicate", "conflict"]) })),
  created: z.number().int(),
  duplicates: z.number().int(),
  conflicts: z.number().int(),
});
export type IngestResult = z.infer<typeof IngestResultSchema>;
