import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNode, type ChildResult } from "../helpers/cli.js";

const CHILD = fileURLToPath(new URL("./fixtures/settle-child.ts", import.meta.url));

/** `afterShutdownMs`: from the child's last line (shutdown() returned) to its exit. */
async function runChild(storage: string): Promise<ChildResult & { afterShutdownMs: number }> {
  let shutdownAt = Number.NaN;
  const out = await runNode(["--import", "tsx", CHILD, storage], {
    onStdout: (soFar) => {
      if (Number.isNaN(shutdownAt) && soFar.includes("shutdown ")) shutdownAt = performance.now();
    },
  });
  return { ...out, afterShutdownMs: out.exitedAt - shutdownAt };
}

// A server that accepts connections and never answers: PostgreSQL "up" but hung (or a black-holed network).
let silent: Server;
const sockets = new Set<Socket>();
let silentUrl: string;
beforeAll(async () => {
  silent = createServer((s) => {
    sockets.add(s);
    s.on("error", () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  silentUrl = `postgres://postgres@127.0.0.1:${(silent.address() as AddressInfo).port}/test`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

describe("flush() and shutdown() settle by their deadline when storage is down", () => {
  it.each([
    ["every write fails (locked database)", () => "transient"],
    ["writes never answer", () => "hang"],
    ["PostgreSQL refusing connections", () => "postgres://postgres@127.0.0.1:1/test"],
    ["PostgreSQL accepting but never answering", () => silentUrl],
  ])("%s: both awaits resolve with the event still pending, and the process exits 0", async (_, url) => {
    const out = await runChild(url());
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0); // 13 = a top-level await that never settled
    const lines = out.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    const flush = JSON.parse(lines[0]!.replace(/^flush /, "")) as Record<string, unknown>;
    const shutdown = JSON.parse(lines[1]!.replace(/^shutdown /, "")) as Record<string, unknown>;
    expect(flush).toMatchObject({ persisted: 0, pending: 1, timedOut: true });
    expect(shutdown).toMatchObject({ persisted: 0, pending: 1, timedOut: true });
    // The process ends soon after shutdown() returns: no pool connection left waiting for a server timeout
    // (pg's own connection timeout would hold it ~4 s longer; tokenledger cuts its sockets after a 1 s grace).
    expect(out.afterShutdownMs).toBeLessThan(2_500);
  });
});
