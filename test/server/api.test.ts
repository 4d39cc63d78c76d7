import { describe } from "vitest";
import { describePg, pgUrl } from "../helpers/pg.js";
import { apiSuite } from "./api-suite.js";
import { postgresBackend, sqliteBackend } from "./harness.js";

describe("tokenledger serve API [sqlite file]", () => apiSuite(sqliteBackend));
describePg("tokenledger serve API", () => apiSuite(() => postgresBackend(pgUrl()!)));
