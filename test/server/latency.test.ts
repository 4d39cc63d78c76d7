import { describe } from "vitest";
import { describePg, pgUrl } from "../helpers/pg.js";
import { postgresBackend, sqliteBackend } from "./harness.js";
import { latencySuite } from "./latency-suite.js";

describe("GET /api/v1/latency: histogram and exact [sqlite file]", () => latencySuite(sqliteBackend));
describePg("GET /api/v1/latency: histogram and exact", () => latencySuite(() => postgresBackend(pgUrl()!)));
