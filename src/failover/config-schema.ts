import { z } from "zod";
import { WIRE_FORMATS, wireFormatOf } from "./wire-formats.js";

const positiveMs = z
  .number({ error: "must be a positive number of ms" })
  .positive("must be a positive number of ms");
const positiveInt = z
  .number({ error: "must be a positive integer" })
  .int("must be a positive integer")
  .positive("must be a positive integer");

const policySchema = z
  .object({
    errorRate: z.number().gt(0, "must be in (0, 1]").lte(1, "must be in (0, 1]").optional(),
    minRequests: positiveInt.optional(),
    windowMs: positiveMs.optional(),
    consecutiveFailures: positiveInt.optional(),
    slowFirstByteMs: positiveMs.optional(),
    minLatencySamples: positiveInt.optional(),
    cooldownMs: positiveMs.optional(),
    maxCooldownMs: positiveMs.optional(),
    firstByteTimeoutMs: positiveMs.optional(),
    failoverOnStatuses: z
      .array(z.number().int().min(400).max(599), { error: "must list HTTP statuses 400–599" })
      .optional(),
    whenAllOpen: z.enum(["fail-fast", "degraded"], { error: 'must be "fail-fast" or "degraded"' }).optional(),
  })
  .strict();

const targetSchema = z
  .object({
    provider: z.string({ error: "must be a string" }).refine((p) => wireFormatOf(p) !== undefined, {
      error: `is not a known provider (known: ${Object.keys(WIRE_FORMATS).join(", ")})`,
    }),
    model: z.string().min(1, "must not be empty").optional(),
    /** Key of the SDK client passed to `failoverFromConfig(..., { clients })`. */
    client: z.string({ error: "must name a client passed in code" }).min(1, "must not be empty"),
    name: z.string().min(1).optional(),
  })
  .strict();

const groupSchema = z
  .object({
    targets: z
      .array(targetSchema, { error: "must be a list of targets" })
      .min(1, "must list at least one target"),
    policy: policySchema.optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    const first = wireFormatOf(g.targets[0]?.provider ?? "");
    g.targets.forEach((t, i) => {
      const f = wireFormatOf(t.provider);
      if (first && f && f !== first) {
        ctx.addIssue({
          code: "custom",
          path: ["targets", i, "provider"],
          message: `speaks the ${f} wire format but targets[0] speaks ${first}; a group fails over only within one format`,
        });
      }
    });
  });

/** The `failover:` section of tokenledger.config.yaml: named groups of targets, each naming a client by key. */
export const failoverConfigSchema = z
  .object({ groups: z.record(z.string().min(1), groupSchema, { error: "must map group names to groups" }) })
  .strict();

export type FailoverConfig = z.output<typeof failoverConfigSchema>;
