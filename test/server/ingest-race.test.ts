import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerEvent } from "../../src/core/event.js";
import { createPricer } from "../../src/pricing/index.js";
import { createServer } from "../../src/server/app.js";
import { createApiKey } from "../../src/server/auth/key-service.js";
import type { ServerStorage } from "../../src/server/ports.js";
import { describePg, pgUrl } from "../helpers/pg.js";
import { bearer, postgresBackend, sqliteBackend, wireEvent, type Backend } from "./harness.js";

const SERVERS = 3; // each with its own connection (SQLite) or pool (PostgreSQL)
const SENDERS = 6; // concurrent POSTs, spread over the servers
const BATCH = 20;

/**
 * Negative control: the obvious alternative to one insert that reports what it stored. It reads which ids are
 * stored, then inserts the others; between the two, a concurrent request makes the same decision.
 */
function readThenInsert(s: ServerStorage): ServerStorage {
  return new Proxy(s, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop !== "insertNew")
        return typeof value === "function" ? (value as () => unknown).bind(target) : value;
      return async (events: readonly LedgerEvent[]) => {
        const stored = new Set((await target.eventsById(events.map((e) => e.id))).map((e) => e.id));
        await sleep(10); // the gap between the read and the write
        const fresh = events.filter((e) => !stored.has(e.id));
        await target.insertBatch(fresh);
        return fresh.map((e) => e.id);
      };
    },
  });
}

type Impl = "insert-returning" | "read-then-insert";

interface Outcome {
  /** Sum of `created` over every response: how many events the server says it counted. */
  readonly created: number;
  readonly duplicates: number;
  readonly conflicts: number;
  /** Which senders were told their (first) event was created. */
  readonly winners?: readonly number[];
}

function raceSuite(makeBackend: () => Backend): void {
  let backend: Backend;
  let storages: ServerStorage[] = [];
  let token: string;
  const apps = new Map<Impl, FastifyInstance[]>();
  beforeAll(async () => {
    backend = makeBackend();
    storages = await Promise.all(Array.from({ length: SERVERS }, () => backend.open()));
    ({ token } = await createApiKey(
      storages[0]!.access,
      storages[0]!.audit,
      { name: "race", role: "ingest", scope: { kind: "org" } },
      "test",
    ));
    for (const impl of ["insert-returning", "read-then-insert"] as const)
      apps.set(
        impl,
        await Promise.all(
          storages.map((s) =>
            createServer({
              storage: impl === "read-then-insert" ? readThenInsert(s) : s,
              pricer: createPricer(),
            }),
          ),
        ),
      );
  });
  afterAll(async () => {
    await Promise.all([...apps.values()].flat().map((a) => a.close()));
    await Promise.all(storages.map((s) => s.close()));
    await backend?.cleanup();
  });

  /** SENDERS bodies posted at once, sender i to server i % SERVERS; the summed per-request counts. */
  async function race(impl: Impl, bodies: readonly object[]): Promise<Outcome> {
    const servers = apps.get(impl)!;
    const replies = await Promise.all(
      bodies.map((payload, i) =>
        servers[i % SERVERS]!.inject({
          method: "POST",
          url: "/api/v1/usage",
          headers: bearer(token),
          payload,
        }),
      ),
    );
    const sum = (k: "created" | "duplicates" | "conflicts") =>
      replies.reduce((n, r) => n + (r.json() as Outcome)[k], 0);
    const winners = replies.flatMap((r, i) => ((r.json() as Outcome).created > 0 ? [i] : []));
    return { created: sum("created"), duplicates: sum("duplicates"), conflicts: sum("conflicts"), winners };
  }

  /** Events and cost the ledger holds for one team, read back through the rollups the aggregate API uses. */
  async function stored(teamId: string) {
    const r = await storages[0]!.rollup({
      since: new Date(Date.now() - 7 * 86_400_000),
      until: new Date(Date.now() + 60_000),
      groupBy: [],
      where: { team: [teamId] },
    });
    return { events: r.totals.events, costUsd: r.totals.costUsd };
  }

  const sameBatch = (teamId: string) => {
    const events = Array.from({ length: BATCH }, (_, i) =>
      wireEvent({ id: crypto.randomUUID(), teamId, costUsd: `0.${String(i + 1).padStart(3, "0")}` }),
    );
    return Array.from({ length: SENDERS }, () => ({ events }));
  };
  const oneIdManyBodies = (teamId: string) => {
    const id = crypto.randomUUID();
    return Array.from({ length: SENDERS }, (_, i) => ({
      events: [wireEvent({ id, teamId, costUsd: `0.0${i + 1}` })],
    }));
  };

  it("the same batch posted 6 times at once to 3 servers: each event created once, the rest duplicates", async () => {
    const out = await race("insert-returning", sameBatch("same-batch"));
    expect(out).toMatchObject({ created: BATCH, duplicates: BATCH * (SENDERS - 1), conflicts: 0 });
    expect(await stored("same-batch")).toEqual({ events: BATCH, costUsd: "0.21" }); // 0.001 + … + 0.020
  });

  it("one event id posted at once with 6 different bodies: one created, 5 conflicts, the stored body is the winner's", async () => {
    const out = await race("insert-returning", oneIdManyBodies("one-id"));
    expect(out).toMatchObject({ created: 1, duplicates: 0, conflicts: SENDERS - 1 });
    expect(await stored("one-id")).toEqual({ events: 1, costUsd: `0.0${out.winners![0]! + 1}` });
  });

  it("negative control: read-then-insert tells more senders 'created' than events were stored", async () => {
    const batch = await race("read-then-insert", sameBatch("control-batch"));
    expect(batch.created).toBeGreaterThan(BATCH); // events counted more than once
    expect((await stored("control-batch")).events).toBe(BATCH); // the table's unique id kept the rows
    const bodies = await race("read-then-insert", oneIdManyBodies("control-one-id"));
    expect(bodies.created).toBeGreaterThan(1); // a sender told "created" whose body was dropped
    expect(bodies.conflicts).toBeLessThan(SENDERS - 1);
  });
}

describe("concurrent idempotent ingest [sqlite file]", () => raceSuite(sqliteBackend));
describePg("concurrent idempotent ingest", () => raceSuite(() => postgresBackend(pgUrl()!)));
