import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from "./schema.js";

/** One schema step as plain SQL statements, run in order. */
export interface SqlMigration {
  readonly name: string;
  readonly up: readonly string[];
}

export interface MigrationStatus {
  readonly applied: readonly string[];
  readonly pending: readonly string[];
}

/** Migrations live in code (a bundled package ships no migration folder), keyed by sortable names. */
export class InCodeMigrationProvider implements MigrationProvider {
  readonly #steps: readonly SqlMigration[];
  constructor(steps: readonly SqlMigration[]) {
    this.#steps = steps;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const step of this.#steps) {
      out[step.name] = {
        up: async (db: Kysely<unknown>) => {
          for (const statement of step.up) await sql.raw(statement).execute(db);
        },
      };
    }
    return out;
  }
}

export function ledgerMigrator(
  db: Kysely<unknown>,
  steps: readonly SqlMigration[],
  schema?: string,
): Migrator {
  return new Migrator({
    db,
    provider: new InCodeMigrationProvider(steps),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/** Run pending steps; returns the names applied now. Throws the migration error with the step name. */
export async function runMigrations(migrator: Migrator): Promise<string[]> {
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error) {
    const msg = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? "(setup)"} failed: ${msg}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

export async function readStatus(migrator: Migrator): Promise<MigrationStatus> {
  const all = await migrator.getMigrations();
  return {
    applied: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: all.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}
