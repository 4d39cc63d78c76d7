import { z } from "zod";
import { BudgetFieldError, parseBudget } from "./validate.js";

/**
 * One budget in `tokenledger.config.yaml` (`budgets:`): the shape is checked here, the meaning by `parseBudget`
 * (the one validator the CLI and SDK use too), so an error names the field: `budgets[1].timeZone is not an IANA
 * time zone`. `id` is required: the config declares budgets by a stable id.
 */
export const budgetConfigSchema = z
  .object({
    id: z.string({ error: "is required (a stable id: letters, digits, . _ : -)" }),
    scope: z.string({ error: "must be org, team, user, project, feature or cost_center" }),
    scopeId: z.string({ error: "must be a string" }).optional(),
    period: z.string({ error: "must be day, week, month or custom" }),
    timeZone: z.string({ error: "must be an IANA time zone name" }).optional(),
    weekStart: z.number({ error: "must be an ISO weekday 1 (Monday) … 7 (Sunday)" }).optional(),
    // The yaml loader's YAML 1.2 core schema keeps an unquoted 2026-03-01 a string (no timestamp type).
    start: z.string({ error: 'must be a local date or datetime like "2026-03-01"' }).optional(),
    end: z.string({ error: 'must be a local date or datetime like "2026-04-01" (exclusive)' }).optional(),
    amountUsd: z.union([z.string(), z.number()], { error: "must be an amount in USD like 25 or 19.99" }),
    action: z.string({ error: "must be block, rate_limit, downgrade or notify" }).optional(),
    thresholds: z.array(z.number({ error: "must be a percent" })).optional(),
    downgradeMap: z.record(z.string(), z.string({ error: "must name a model" })).optional(),
    rateLimit: z
      .object({
        requestsPerMinute: z.number({ error: "must be a whole number" }).optional(),
        tokensPerMinute: z.number({ error: "must be a whole number" }).optional(),
        usdPerMinute: z
          .union([z.string(), z.number()], { error: 'must be an amount in USD like "0.50"' })
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    try {
      parseBudget(value);
    } catch (err) {
      if (!(err instanceof BudgetFieldError)) throw err;
      ctx.addIssue({ code: "custom", path: err.field.split("."), message: err.why });
    }
  });

export const budgetsConfigSchema = z.array(budgetConfigSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((b, i) => {
    if (seen.has(b.id))
      ctx.addIssue({ code: "custom", path: [i, "id"], message: `"${b.id}" is declared twice` });
    seen.add(b.id);
  });
});

export type BudgetConfig = z.output<typeof budgetConfigSchema>;
