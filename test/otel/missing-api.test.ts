import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadOtelApi } from "../../src/otel/load-api.js";

const HIDE = fileURLToPath(new URL("./fixtures/hide-otel-api.cjs", import.meta.url));
const CHILD = fileURLToPath(new URL("./fixtures/no-otel-api-child.ts", import.meta.url));

describe("@opentelemetry/api is an optional peer", () => {
  it("without it, instrumentOtel is inactive, says why, emits nothing and recording is untouched", () => {
    const r = spawnSync(process.execPath, ["-r", HIDE, "--import", "tsx", CHILD], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).not.toMatch(/Error/);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      active: false,
      reason: '"@opentelemetry/api" is not installed (npm install @opentelemetry/api)',
      stats: { spans: 0, metricEvents: 0, errors: 0, dropped: 0 },
      persisted: 1,
      stored: 1,
      internal: {},
    });
  });

  it("a broken copy is a reason, never a throw", () => {
    expect(loadOtelApi(() => ({}))).toEqual({
      ok: false,
      reason: "@opentelemetry/api loaded but does not look like the OpenTelemetry API 1.x",
    });
    const failing = loadOtelApi(() => {
      throw new SyntaxError("Unexpected token");
    });
    expect(failing).toEqual({ ok: false, reason: "could not load @opentelemetry/api: Unexpected token" });
  });
});
