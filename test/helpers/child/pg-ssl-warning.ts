// Child for test/bad-input/pg-warnings.test.ts: a fresh process (pg-connection-string warns once per process)
// opens a ledger with `sslmode=require`, which makes pg's URL parser emit a "SECURITY WARNING". Prints what the
// configured logger received as JSON on stdout.
import { postgresStorage } from "tokenledger/postgres";

const logged: string[] = [];
const storage = postgresStorage({
  connectionString: process.argv[2]!,
  logger: { warn: (m) => logged.push(`warn: ${m}`), error: (m) => logged.push(`error: ${m}`) },
});
const outcome = await storage.init().then(
  () => "connected",
  (err: unknown) => `failed: ${err instanceof Error ? err.message : String(err)}`,
);
await storage.close();
process.stdout.write(JSON.stringify({ logged, outcome }));
