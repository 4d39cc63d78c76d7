import { z } from "zod";
import { BUDGET_ACTIONS, BUDGET_PERIODS, BUDGET_SCOPES } from "../../budgets/types.js";

/** A budget definition as the API takes it; parseBudget (src/budgets/validate.ts) then checks and normalises it. */
export const BudgetBodySchema = z.strictObject({
  id: z.string().max(64).optional(),
  scope: z.enum(BUDGET_SCOPES),
  scopeId: z.string().min(1).max(200).optional(),
  period: z.enum(BUDGET_PERIODS),
  timeZone: z.string().max(100).optional(),
  weekStart: z.number().int().min(1).max(7).optional(),
  start: z.string().max(40).optional(),
  end: z.string().max(40).optional(),
  amountUsd: z.string().regex(/^\d+(\.\d+)?$/, 'a decimal string of USD, e.g. "25.00"'),
  action: z.enum(BUDGET_ACTIONS).optional(),
  thresholds: z.array(z.number().gt(0).lte(100)).min(1).max(20).optional(),
  downgradeMap: z.record(z.string(), z.string().min(1)).optional(),
});
export type BudgetBody = z.infer<typeof BudgetBodySchema>;

export const BudgetSchema = BudgetBodySchema.extend({
  id: z.string(),
  scopeId: z.string(),
  timeZone: z.string(),
  weekStart: z.number().int(),
  action: z.enum(BUDGET_ACTIONS),
  thresholds: z.array(z.number()),
  downgradeMap: z.record(z.string(), z.string()),
});

export const BudgetStatusSchema = z.object({
  budget: BudgetSchema,
  periodKey: z.string(),
  periodEnd: z.string(),
  spentUsd: z.string(),
  reservedUsd: z.string(),
  remainingUsd: z.string(),
  percentUsed: z.number(),
});
