import { z } from "zod";
import { isRateString, numberToDecimalString } from "./decimal.js";
import { RATE_FIELDS, type RateField } from "./types.js";

/**
 * Zod schemas for price data. The bundled catalog is strict (rates must be decimal strings); user
 * overrides also accept JSON/YAML numbers (`input: 2.5`), converted to decimal strings.
 */
const RATE_MESSAGE = 'must be a non-negative decimal string like "2.50"';

const strictRate = z.string({ error: RATE_MESSAGE }).refine(isRateString, { error: RATE_MESSAGE });

const lenientRate = z
  .custom<string | number>(
    (v) =>
      (typeof v === "string" && isRateString(v)) || (typeof v === "number" && Number.isFinite(v) && v >= 0),
    { error: `${RATE_MESSAGE} or a non-negative number` },
  )
  .transform((v) => (typeof v === "number" ? numberToDecimalString(v) : v));

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const isoDate = z
  .string({ error: "must be an ISO date like 2024-10-02" })
  .refine((s) => ISO_DATE.test(s) && !Number.isNaN(Date.parse(s)), {
    error: "must be an ISO date like 2024-10-02",
  });

function rateShape(rate: z.ZodType<string>): Record<RateField, z.ZodOptional<z.ZodType<string>>> {
  return Object.fromEntries(RATE_FIELDS.map((f) => [f, rate.optional()])) as Record<
    RateField,
    z.ZodOptional<z.ZodType<string>>
  >;
}

function entrySchema(rate: z.ZodType<string>) {
  const rates = z.object(rateShape(rate)).strict();
  const tier = z
    .object({
      aboveTokens: z
        .number({ error: "must be a number" })
        .int("must be a whole number")
        .positive("must be above 0"),
      ...rateShape(rate),
    })
    .strict();
  return z
    .object({
      ...rateShape(rate),
      input: rate,
      output: rate,
      effectiveFrom: isoDate.optional(),
      effectiveTo: isoDate.optional(),
      tiers: z
        .array(tier)
        .refine((ts) => ts.every((t, i) => i === 0 || t.aboveTokens > (ts[i - 1]?.aboveTokens ?? 0)), {
          error: "tiers must be in ascending aboveTokens order without repeats",
        })
        .optional(),
      batch: rates.optional(),
      batchMultiplier: rate.optional(),
      serviceTiers: z.object({ flex: rates.optional(), priority: rates.optional() }).strict().optional(),
      regionalMultiplier: rate.optional(),
      source: z.string().optional(),
    })
    .strict()
    .refine(
      (e) => !e.effectiveFrom || !e.effectiveTo || Date.parse(e.effectiveFrom) < Date.parse(e.effectiveTo),
      {
        error: "effectiveFrom must be before effectiveTo",
      },
    );
}

export const strictEntry = entrySchema(strictRate);
export const lenientEntry = entrySchema(lenientRate as unknown as z.ZodType<string>);
export type ParsedEntry = z.output<typeof strictEntry>;

/** One price or a list of dated versions. */
export const strictVersions = z.union([
  strictEntry,
  z.array(strictEntry).min(1, "must list at least one version"),
]);
export const lenientVersions = z.union([
  lenientEntry,
  z.array(lenientEntry).min(1, "must list at least one version"),
]);

const nonEmpty = z.string().min(1, "must not be empty");

export const catalogSchema = z
  .object({
    $comment: z.string().optional(),
    version: z.literal(1, { error: "must be 1" }),
    updated: isoDate.optional(),
    /** Where generated data came from (`@pydantic/genai-prices@0.1.8` for the broad layer). */
    dataVersion: z.string().optional(),
    providers: z.record(nonEmpty, z.record(nonEmpty, strictVersions)),
    aliases: z.record(nonEmpty, nonEmpty).optional(),
  })
  .strict();

export const overridesFileSchema = z
  .object({
    prices: z.record(nonEmpty, lenientVersions).optional(),
    aliases: z.record(nonEmpty, nonEmpty).optional(),
    azureDeployments: z.record(nonEmpty, nonEmpty).optional(),
    bedrockModelMap: z.record(nonEmpty, nonEmpty).optional(),
  })
  .strict();

/** `prices["openai/gpt-4o"].input: must be ...`: every issue with its path, for config errors. */
export function describeIssues(error: z.ZodError): string {
  return flatten(error.issues, [])
    .slice(0, 5)
    .map(({ path, message }) => {
      const text = path
        .map((p) =>
          typeof p === "number"
            ? `[${p}]`
            : /^[A-Za-z_$][\w$]*$/.test(String(p))
              ? `.${String(p)}`
              : `[${JSON.stringify(String(p))}]`,
        )
        .join("");
      return `${text ? text.replace(/^\./, "") : "(root)"}: ${message}`;
    })
    .join("; ");
}

type Flat = { path: PropertyKey[]; message: string };

/** A union ("one price or a list of versions") reports the branch that matched the value's type. */
function flatten(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): Flat[] {
  const out: Flat[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const branch =
        issue.errors.find((b) => !b.some((i) => i.path.length === 0 && i.code === "invalid_type")) ??
        issue.errors[0] ??
        [];
      out.push(...flatten(branch, path));
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}
