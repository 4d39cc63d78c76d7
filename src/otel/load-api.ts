import { createRequire } from "node:module";
import type * as OtelApi from "@opentelemetry/api";

export type OtelApiModule = typeof OtelApi;

export type ApiLoad =
  { readonly ok: true; readonly api: OtelApiModule } | { readonly ok: false; readonly reason: string };

type RequireFn = (id: string) => unknown;

/**
 * `@opentelemetry/api` is an optional peer, loaded on first use and never from the main `tokenledger` entry.
 * The API keeps its global providers on a versioned global symbol, so whichever copy resolves here sees the
 * host's TracerProvider and MeterProvider. Never throws: a missing or broken package is a reason, not an error.
 */
export function loadOtelApi(req: RequireFn = createRequire(import.meta.url)): ApiLoad {
  try {
    const api = req("@opentelemetry/api") as OtelApiModule;
    if (typeof api?.trace?.getTracer !== "function" || typeof api?.metrics?.getMeterProvider !== "function") {
      return {
        ok: false,
        reason: "@opentelemetry/api loaded but does not look like the OpenTelemetry API 1.x",
      };
    }
    return { ok: true, api };
  } catch (err) {
    const code = (err as { code?: string } | null)?.code;
    if (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") {
      return { ok: false, reason: '"@opentelemetry/api" is not installed (npm install @opentelemetry/api)' };
    }
    return {
      ok: false,
      reason: `could not load @opentelemetry/api: ${String((err as Error)?.message ?? err)}`,
    };
  }
}
