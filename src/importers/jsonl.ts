import { createHash } from "node:crypto";
import { z } from "zod";
import type { UsageEventInput } from "../core/event.js";
import { ATTRIBUTION_KEYS } from "../core/attribution.js";
import { EMPTY_USAGE } from "../core/buckets.js";
import { checkTimestamp } from "../core/timestamp.js";
import { readJsonLines } from "./line-reader.js";
import { stableEventId } from "./stable-id.js";
import type { AgentImporter, ParseSink } from "./types.js";
import { walkFiles } from "./walk.js";

export const JSONL_AGENT = "jsonl";

/** No single call costs this much: a larger figure is a unit or parsing mistake, and the line is skipped. */
const MAX_COST_USD = 1_000_000;

const count = z.number().int("must be a whole number").nonnegative("must not be negative");
const usageSchema = z
  .object(
    Object.fromEntries(Object.keys(EMPTY_USAGE).map((k) => [k, count.optional()])) as Record<
      keyof typeof EMPTY_USAGE,
      z.ZodOptional<typeof count>
    >,
  )
  .strict();

const attributionSchema = z
  .object(
    Object.fromEntries(ATTRIBUTION_KEYS.map((k) => [k, z.string().optional()])) as Record<
      (typeof ATTRIBUTION_KEYS)[number],
      z.ZodOptional<z.ZodString>
    >,
  )
  .strict();

/** One line of the generic import format; see JSONL_FORMAT.md. */
export const jsonlLineSchema = z
  .object({
    id: z.string().min(1).optional(),
    timestamp: z.union([z.string(), z.number()]),
    provider: z.string().min(1),
    model: z.string().min(1).nullable().optional(),
    operation: z.string().min(1).optional(),
    status: z.enum(["ok", "error", "aborted"]).optional(),
    requestId: z.string().nullable().optional(),
    // Same bounds as the server's wire schema (src/server/schemas/wire-event.ts).
    responseId: z.string().max(300, "must be at most 300 characters").nullable().optional(),
    finishReasons: z
      .array(z.string().min(1).max(100, "must be at most 100 characters"))
      .max(16, "must hold at most 16 reasons")
      .nullable()
      .optional(),
    latencyMs: z.number().nonnegative().nullable().optional(),
    serviceTier: z.string().nullable().optional(),
    batch: z.boolean().optional(),
    usage: usageSchema,
    costUsd: z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a decimal string like "0.0123"')
      .refine(
        (c) => Number(c) < MAX_COST_USD,
        `must be under $${MAX_COST_USD.toLocaleString("en-US")} for one call`,
      )
      .nullable()
      .optional(),
    attribution: attributionSchema.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const jsonlImporter: AgentImporter = {
  agent: JSONL_AGENT,
  listFiles: (root, onError) =>
    walkFiles(root, (name) => name.endsWith(".jsonl") || name.endsWith(".ndjson"), onError),
  async parseFile(path: string, sink: ParseSink): Promise<void> {
    for await (const line of readJsonLines(path, sink)) {
      const result = jsonlLineSchema.safeParse(line.value);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        const where = issue.path.join(".") || "line";
        const message =
          issue.code === "unrecognized_keys" ? `unknown key ${issue.keys.join(", ")}` : issue.message;
        sink.malformed(line.number, `${where}: ${message}`);
        continue;
      }
      const row = result.data;
      const checked = checkTimestamp(row.timestamp);
      if ("error" in checked) {
        sink.malformed(line.number, `timestamp: ${checked.error}`);
        continue;
      }
      const at = checked.ms;
      // Without an id, the line's own content names the event, so importing the file twice adds nothing.
      const id =
        row.id === undefined
          ? stableEventId(JSONL_AGENT, createHash("sha256").update(line.text.trim()).digest("hex"))
          : UUID.test(row.id)
            ? row.id
            : stableEventId(JSONL_AGENT, "id", row.id); // ledgers store UUIDs; any other id is hashed into one
      const input: UsageEventInput = {
        ...row,
        id,
        timestamp: at,
        usageSource: "import",
        attribution: { ...row.attribution },
      };
      await sink.event(input);
    }
  },
};
