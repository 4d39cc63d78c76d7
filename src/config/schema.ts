import { z } from "zod";
import { DIMENSIONS } from "../core/query.js";
import { isValidTimeZone, parseCalendarDate } from "../cli/time.js";
import { failoverConfigSchema } from "../failover/config-schema.js";
import { budgetsConfigSchema } from "../budgets/config-schema.js";
import { alertsConfigSchema } from "../budgets/alerts/config.js";

const calendarDate = z
  .string({ error: "must be a YYYY-MM-DD date" })
  .refine((v) => parseCalendarDate(v) !== undefined, { error: "must be a real YYYY-MM-DD date" });

const decimalUsd = z
  .union([z.number(), z.string()], { error: "must be a number of US dollars" })
  .transform((v) => String(v))
  .refine((v) => /^\d+(\.\d+)?$/.test(v), { error: "must be a non-negative amount like 20 or 19.99" });

const timeZone = z
  .string({ error: "must be an IANA time zone name" })
  .refine(isValidTimeZone, { error: "is not a known IANA time zone (for example UTC or Europe/Paris)" });

/** A flat-rate plan (Claude Max, ChatGPT Team, Copilot, ...), spread over the usage it covers. */
export const subscriptionSchema = z
  .object({
    name: z.string({ error: "must be a string" }).min(1, "must not be empty"),
    /** Matches events whose `provider` is this (for example `anthropic`). */
    provider: z.string({ error: "must be a string" }).min(1).optional(),
    /** Matches events whose `app` is this (for example `claude-code`), for plans tied to one tool. */
    tool: z.string({ error: "must be a string" }).min(1).optional(),
    seats: z
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .positive("must be at least 1")
      .default(1),
    usdPerMonth: decimalUsd,
    /** First day billed (inclusive), in the report's time zone. */
    start: calendarDate.optional(),
    /** Last day billed (inclusive). */
    end: calendarDate.optional(),
  })
  .strict()
  .refine((s) => (s.provider === undefined) !== (s.tool === undefined), {
    error: "needs exactly one of provider or tool",
  })
  .refine((s) => !s.start || !s.end || s.start <= s.end, { error: "end is before start", path: ["end"] });

export type Subscription = z.output<typeof subscriptionSchema>;

const threshold = z
  .object({
    name: z.string().min(1).optional(),
    period: z.enum(["daily", "weekly", "monthly"], { error: "must be daily, weekly or monthly" }),
    usd: decimalUsd,
    where: z.partialRecord(z.enum(DIMENSIONS), z.string()).optional(),
  })
  .strict();

/** Per-model price override: USD per million tokens (same fields the pricer's overrides take). */
const priceOverride = z.record(z.string(), z.unknown(), { error: "must be a mapping of price fields" });

export const configSchema = z
  .object({
    /** Ledger URL or SQLite path; `--db` and the environment variables take precedence. */
    database: z.string({ error: "must be a database URL or a SQLite file path" }).min(1).optional(),
    timezone: timeZone.optional(),
    /** Defaults for CLI flags. */
    defaults: z
      .object({
        period: z.enum(["daily", "weekly", "monthly", "session", "blocks"]).optional(),
        groupBy: z.array(z.enum(DIMENSIONS, { error: `must be one of ${DIMENSIONS.join(", ")}` })).optional(),
        since: z
          .string({ error: "must be a date" })
          .refine((v) => parseCalendarDate(v) !== undefined || /^\d{4}-\d{2}-\d{2}T/.test(v), {
            error: "must be a YYYY-MM-DD date or an ISO 8601 time",
          })
          .optional(),
        breakdown: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /** Price overrides, keyed `provider/model` or `model`, handed to the pricer. */
    prices: z.record(z.string(), priceOverride).optional(),
    subscriptions: z.array(subscriptionSchema).optional(),
    /** Budget thresholds, stored for later budget work. */
    thresholds: z.array(threshold).optional(),
    /** Budgets this file declares: synced to the ledger on start; the file is their source of truth. */
    budgets: budgetsConfigSchema.optional(),
    /** Where budget alerts go from `proxy` and `serve --proxy`: webhooks, Slack, e-mail (secrets by env var). */
    alerts: alertsConfigSchema.optional(),
    /** Failover groups for `failoverFromConfig()` from `tokenledger/failover`. */
    failover: failoverConfigSchema.optional(),
  })
  .strict();

export type TokenLedgerConfig = z.output<typeof configSchema>;
