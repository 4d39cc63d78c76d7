import type { Command } from "commander";
import { TokenLedgerConfigError } from "../../core/errors.js";
import { createApiKey, revokeApiKey } from "../../server/auth/key-service.js";
import type { ApiKeyRow } from "../../server/ports.js";
import type { Scope } from "../../server/schemas/principal.js";
import type { Runner } from "../program.js";
import { cliActor, serverLedger } from "../server-ledger.js";

interface CreateOptions {
  name: string;
  role: string;
  teams?: string;
  projects?: string;
  user?: string;
  json?: boolean;
}

const idList = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

function scopeOf(o: CreateOptions): Scope {
  if (o.teams !== undefined && o.projects !== undefined)
    throw new TokenLedgerConfigError(
      "--teams and --projects: a key is scoped to teams or to projects, not both",
    );
  if (o.teams !== undefined) return { kind: "teams", ids: idList(o.teams) };
  if (o.projects !== undefined) return { kind: "projects", ids: idList(o.projects) };
  return { kind: "org" };
}

/** What `keys list` shows: never the hash. */
const publicView = (k: ApiKeyRow) => ({
  id: k.id,
  prefix: k.prefix,
  name: k.name,
  role: k.role,
  scope: JSON.parse(k.scope) as Scope,
  userId: k.userId,
  createdAt: new Date(k.createdAt).toISOString(),
  revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
});

const scopeText = (s: Scope) => (s.kind === "org" ? "org" : `${s.kind}=${s.ids.join(",")}`);

export function registerKeys(program: Command, run: Runner): Command {
  const keys = program
    .command("keys")
    .description("API keys for tokenledger serve: create (the secret is shown once), list, revoke.")
    .addHelpText(
      "after",
      `\nExamples:\n  $ tokenledger keys create --name billing-svc --role ingest\n  $ tokenledger keys create --name alice --role manager --teams search,ads\n  $ tokenledger keys revoke tl3x9a7q`,
    );
  registerCreate(keys, run);
  registerListAndRevoke(keys, run);
  return keys;
}

function registerCreate(keys: Command, run: Runner): void {
  keys
    .command("create")
    .description("Create a key; prints tl_<prefix>_<secret> once (only its hash is stored).")
    .requiredOption("--name <name>", "who or what uses the key")
    .requiredOption("--role <role>", "admin, manager, member, viewer or ingest")
    .option("--teams <ids>", "scope: only these teams (comma-separated)")
    .option("--projects <ids>", "scope: only these projects (comma-separated)")
    .option("--user <id>", "the user id a member key sees (required for --role member)")
    .option("--json", "print { key, token } as JSON")
    .action(
      run(async (ctx, o: CreateOptions) => {
        const ledger = await serverLedger(ctx);
        const { key, token } = await createApiKey(
          ledger.access,
          ledger.audit,
          { name: o.name, role: o.role, scope: scopeOf(o), userId: o.user ?? null },
          cliActor(),
        );
        if (o.json) await ctx.out(`${JSON.stringify({ key: publicView(key), token }, null, 2)}\n`);
        else
          await ctx.out(
            `${token}\n` +
              `Key ${key.id} (${key.role}, ${scopeText(publicView(key).scope)}) created. Copy the key now: it is not shown again.\n`,
          );
      }),
    );
}

function registerListAndRevoke(keys: Command, run: Runner): void {
  keys
    .command("list")
    .description("List keys (prefix, role, scope; never secrets).")
    .option("--json", "print as JSON")
    .action(
      run(async (ctx, o: { json?: boolean }) => {
        const all = (await (await serverLedger(ctx)).access.listKeys()).map(publicView);
        if (o.json) return ctx.out(`${JSON.stringify(all, null, 2)}\n`);
        if (all.length === 0) return ctx.out("No API keys.\n");
        for (const k of all)
          await ctx.out(
            `${k.id}  tl_${k.prefix}_…  ${k.name}  ${k.role}  ${scopeText(k.scope)}${k.userId ? `  user=${k.userId}` : ""}` +
              `  created ${k.createdAt}${k.revokedAt ? `  REVOKED ${k.revokedAt}` : ""}\n`,
          );
      }),
    );
  keys
    .command("revoke")
    .description("Revoke a key by id or prefix; its dashboard sessions end at once.")
    .argument("<id>", "key id or prefix")
    .action(
      run(async (ctx, id: string) => {
        const ledger = await serverLedger(ctx);
        const key = await revokeApiKey(ledger.access, ledger.audit, id, cliActor());
        await ctx.out(`Revoked ${key.id} (tl_${key.prefix}_…, ${key.name})\n`);
      }),
    );
}
