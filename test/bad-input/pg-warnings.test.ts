import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { postgresStorage } from "tokenledger/postgres";
import { ledgerEvent } from "../contract/ledger-events.js";
import { runNode, type ChildResult } from "../helpers/cli.js";
import { describePg, dropSchema, pgQuery, pgUrl, uniqueSchema } from "../helpers/pg.js";

const CHILD = fileURLToPath(new URL("../helpers/child/pg-ssl-warning.ts", import.meta.url));
const schemas: string[] = [];
afterAll(async () => {
  const url = pgUrl();
  if (url) for (const s of schemas) await dropSchema(url, s);
});

function runChild(url: string): Promise<ChildResult> {
  return runNode(["--import", "tsx", CHILD, url], { env: { PATH: process.env.PATH ?? "" } });
}

describePg("PostgreSQL driver warnings and server notices go through the configured logger", () => {
  it("pg's URL warning (sslmode=require) reaches the logger, password masked, and nothing is printed to stderr", async () => {
    const url = new URL(pgUrl()!);
    url.password = "hunter2-pg-secret";
    url.searchParams.set("sslmode", "require");
    const r = await runChild(url.href);
    expect(r.code, r.stderr).toBe(0);
    const { logged } = JSON.parse(r.stdout) as { logged: string[]; outcome: string };
    const warning = logged.find((l) => l.includes("SECURITY WARNING"));
    expect(warning).toMatch(
      /^warn: postgres postgres:\/\/postgres:\*+@127\.0\.0\.1:5432\/test\?sslmode=require: /,
    );
    expect(r.stderr).not.toContain("SECURITY WARNING");
    expect(r.stderr).not.toContain("(node:");
    expect(r.stdout + r.stderr).not.toContain("hunter2-pg-secret");
  }, 30_000);

  it("a server WARNING on tokenledger's own connection (a DBA's trigger) is logged as a warning", async () => {
    const url = pgUrl()!;
    const schema = uniqueSchema("tl_notice");
    schemas.push(schema);
    const logged: string[] = [];
    const logger = {
      warn: (m: string) => logged.push(`warn: ${m}`),
      error: (m: string) => logged.push(`error: ${m}`),
    };
    const storage = postgresStorage({ connectionString: url, schema, logger });
    await storage.init();
    await pgQuery(
      url,
      `create function "${schema}".audit_warn() returns trigger language plpgsql as $$
       begin raise warning 'tl-canary: insert into ledger seen by audit trigger'; return new; end $$;
       create trigger audit_warn before insert on "${schema}".token_ledger_events
       for each row execute function "${schema}".audit_warn()`,
    );
    await storage.insertBatch([ledgerEvent()]);
    await storage.close();
    expect(logged).toContainEqual(
      expect.stringMatching(
        /^warn: postgres .*: server warning: tl-canary: insert into ledger seen by audit trigger$/,
      ),
    );
  });
});
