/**
 * Kysely's migrator looks up every table in every schema of the database before it migrates (to find its own
 * tables). A schema another process drops at that moment fails the lookup although nothing is wrong with ours:
 * with `3F000` ("schema "x" does not exist") when the schema went first, or with `42P01` ("relation "x.t" does not
 * exist") when a table of it went between the listing and the column lookup. Either error, naming a schema other
 * than ours, is worth a retry; one naming ours, or an unqualified relation, is a real failure.
 */
export function isOtherSchemaVanished(err: unknown, ownSchema: string): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof message !== "string") continue;
    if (code === "3F000") return !message.includes(`"${ownSchema}"`);
    if (code === "42P01") {
      const schema = /relation "([^".]+)\.[^"]+" does not exist/.exec(message)?.[1];
      return schema !== undefined && schema !== ownSchema;
    }
  }
  return false;
}

/** How many times a migration run is retried after another schema vanished under its lookup. */
export const VANISHED_SCHEMA_RETRIES = 5;
