/**
 * Kysely's migrator looks up every table in every schema of the database before it migrates (to find its own
 * tables). A schema another process drops at that moment fails the lookup with `3F000` ("schema … does not
 * exist") although nothing is wrong with ours. That error, naming a schema other than ours, is worth a retry.
 */
export function isOtherSchemaVanished(err: unknown, ownSchema: string): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === "3F000" && typeof message === "string") return !message.includes(`"${ownSchema}"`);
  }
  return false;
}

/** How many times a migration run is retried after another schema vanished under its lookup. */
export const VANISHED_SCHEMA_RETRIES = 5;
