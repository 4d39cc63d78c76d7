import { z } from "zod";

export const ROLES = ["admin", "manager", "member", "viewer", "ingest"] as const;
export type Role = (typeof ROLES)[number];

const ids = z.array(z.string().min(1).max(200)).min(1).max(1000);

/** What a key may see: the whole org, or only events (and budgets) of some teams or projects. */
export const ScopeSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("org") }),
  z.strictObject({ kind: z.literal("teams"), ids }),
  z.strictObject({ kind: z.literal("projects"), ids }),
]);
export type Scope = z.infer<typeof ScopeSchema>;

export const PrincipalSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  scope: ScopeSchema,
  userId: z.string().nullable(),
});

/** Who is calling: the key (directly, or through a dashboard session). */
export interface Principal {
  /** The API key's id (recorded in events' metadata.apiKeyId and in the audit trail). */
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly scope: Scope;
  /** `member` keys: the user whose events they see. */
  readonly userId: string | null;
}

export const SessionResponseSchema = z.object({ csrfToken: z.string(), principal: PrincipalSchema });
export const LoginBodySchema = z.strictObject({ key: z.string().min(1).max(300) });
