import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ATTRIBUTION_KEYS, DIMENSIONS } from "tokenledger";
import { describe, expect, it } from "vitest";
import { ATTRIBUTION_FIELDS } from "../../src/core/attribution-fields.js";
import { eventColumns } from "../../adapters/_kysely/schema.js";
import { EVENT_COLUMN, ROLLUP_DIMENSIONS } from "../../adapters/_shared/dimensions.js";
import { DEFAULT_HEADERS } from "../../src/middleware/options.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const migrations = (backend: string) =>
  readFileSync(resolve(ROOT, `adapters/${backend}/${backend}-migrations.ts`), "utf8");

describe("the attribution-field table", () => {
  it("derives the public lists in their documented order", () => {
    expect(ATTRIBUTION_KEYS).toEqual([
      "userId",
      "teamId",
      "projectId",
      "feature",
      "costCenter",
      "sessionId",
      "traceId",
      "environment",
      "app",
    ]);
    expect(DIMENSIONS).toEqual([
      "provider",
      "model",
      "user",
      "team",
      "project",
      "feature",
      "cost_center",
      "environment",
      "app",
      "session",
      "target", // failover's effective target (migration 0020): a decided addition to the public list
      "operation",
      "status",
    ]);
    expect(ROLLUP_DIMENSIONS).toEqual(DIMENSIONS.slice(0, 9));
    expect(EVENT_COLUMN.cost_center).toBe("cost_center");
    expect(EVENT_COLUMN.session).toBe("session_id");
    expect(DEFAULT_HEADERS).toEqual({
      userId: "x-user-id",
      teamId: "x-team-id",
      projectId: "x-project-id",
      feature: "x-feature",
      costCenter: "x-cost-center",
      sessionId: "x-session-id",
    });
  });

  it("has a column for every field in the insert list and in both SQL adapters' migrations", () => {
    for (const f of ATTRIBUTION_FIELDS) {
      expect(eventColumns("cost_usd")).toContain(f.column);
      for (const backend of ["sqlite", "postgres"]) {
        expect(migrations(backend), `${backend} migration for ${f.column}`).toMatch(
          new RegExp(`\\b${f.column}\\b`),
        );
      }
    }
  });
});
