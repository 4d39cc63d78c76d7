import { randomUUID } from "node:crypto";
import { TokenLedgerConfigError } from "../../core/errors.js";
import type { AccessStore, ApiKeyRow, AuditLog } from "../ports.js";
import { ROLES, ScopeSchema, type Role, type Scope } from "../schemas/principal.js";
import { generateKey } from "./key-format.js";

export interface NewKeyInput {
  readonly name: string;
  readonly role: string;
  readonly scope: Scope;
  readonly userId?: string | null;
}

/** Check a key definition; every error names the option. */
export function checkKeyInput(input: NewKeyInput): { role: Role; scope: Scope; userId: string | null } {
  if (!input.name.trim())
    throw new TokenLedgerConfigError("--name: give the key a name (who or what uses it)");
  if (!(ROLES as readonly string[]).includes(input.role))
    throw new TokenLedgerConfigError(
      `--role: ${JSON.stringify(input.role)} is not one of ${ROLES.join(", ")}`,
    );
  const role = input.role as Role;
  const scope = ScopeSchema.safeParse(input.scope);
  if (!scope.success)
    throw new TokenLedgerConfigError(`--teams/--projects: ${scope.error.issues[0]?.message}`);
  if (role === "admin" && scope.data.kind !== "org")
    throw new TokenLedgerConfigError(
      "--role admin: admin keys cover the whole org (drop --teams/--projects)",
    );
  const userId = input.userId ?? null;
  if (role === "member" && !userId)
    throw new TokenLedgerConfigError(
      "--role member: give --user <id> (a member sees only that user's usage)",
    );
  return { role, scope: scope.data, userId };
}

/** Create a key; returns its row and the token (shown once: only its hash is stored). Audited as `key.create`. */
export async function createApiKey(
  access: AccessStore,
  audit: AuditLog,
  input: NewKeyInput,
  actor: string,
  now = Date.now(),
): Promise<{ key: ApiKeyRow; token: string }> {
  const { role, scope, userId } = checkKeyInput(input);
  const fresh = generateKey();
  const key: ApiKeyRow = {
    id: `key_${randomUUID().replace(/-/g, "").slice(0, 16)}`,
    prefix: fresh.prefix,
    hash: fresh.hash,
    name: input.name.trim(),
    role,
    scope: JSON.stringify(scope),
    userId,
    createdAt: now,
    revokedAt: null,
  };
  await access.insertKey(key);
  await audit.append(
    {
      actor,
      action: "key.create",
      target: key.id,
      details: { name: key.name, prefix: key.prefix, role, scope, userId },
    },
    now,
  );
  return { key, token: fresh.token };
}

/** Revoke a key by id or prefix (its sessions end too); audited as `key.revoke`. */
export async function revokeApiKey(
  access: AccessStore,
  audit: AuditLog,
  idOrPrefix: string,
  actor: string,
  now = Date.now(),
): Promise<ApiKeyRow> {
  const key = await access.revokeKey(idOrPrefix, now);
  if (!key)
    throw new TokenLedgerConfigError(
      `no live API key with id or prefix ${JSON.stringify(idOrPrefix)} (see keys list)`,
    );
  await audit.append(
    { actor, action: "key.revoke", target: key.id, details: { prefix: key.prefix, name: key.name } },
    now,
  );
  return key;
}
