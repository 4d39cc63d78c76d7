import { AsyncLocalStorage } from "node:async_hooks";
import type { Attribution } from "../../src/core/attribution.js";

/**
 * Automatic function calling (AFC): when `config.tools` holds callable tools, `generateContent` /
 * `generateContentStream` loop over several HTTP requests (each billed) and the public result shows only the
 * last one's usage. For such calls the public wrapper opens a scope, and the SDK's per-request methods
 * (`generateContentInternal` / `generateContentStreamInternal`) record one event per request inside it.
 */
export interface CallScope {
  /** Record per request (AFC may loop). False: the public wrapper records the single request itself. */
  readonly perRequest: boolean;
  /** AFC applies: a stream's HTTP requests start only when the caller iterates (none if it never does). */
  readonly afc: boolean;
  readonly provider: string;
  readonly requestedModel: string | null;
  /** Attribution when the call started; AFC stream rounds start later, while the caller iterates. */
  readonly attribution: Attribution;
  readonly signal: unknown;
  /** Requests recorded so far in this scope. */
  requests: number;
}

// Global so the CJS and ESM copies of tokenledger share one scope (the SDK copy may be either).
const KEY = Symbol.for("tokenledger.google-genai.scope");
const g = globalThis as typeof globalThis & { [KEY]?: AsyncLocalStorage<CallScope> };
export const callScope: AsyncLocalStorage<CallScope> = (g[KEY] ??= new AsyncLocalStorage<CallScope>());

interface AfcConfig {
  tools?: unknown;
  automaticFunctionCalling?: { disable?: unknown; maximumRemoteCalls?: unknown };
}

/**
 * Mirrors the SDK's own test (`shouldDisableAfc`): any tool with a `callTool` function, unless
 * `automaticFunctionCalling.disable`, or `maximumRemoteCalls` is 0, negative or not an integer.
 */
export function mayLoopAutomatically(params: unknown): boolean {
  const config = (params as { config?: AfcConfig } | null)?.config;
  const afc = config?.automaticFunctionCalling;
  if (!config || !!afc?.disable || !Array.isArray(config.tools) || !validMaxCalls(afc?.maximumRemoteCalls))
    return false;
  return config.tools.some(
    (tool) =>
      tool !== null &&
      typeof tool === "object" &&
      typeof (tool as { callTool?: unknown }).callTool === "function",
  );
}

function validMaxCalls(max: unknown): boolean {
  return max === undefined || max === null || (typeof max === "number" && Number.isInteger(max) && max > 0);
}
