import type { IncomingMessage, ServerResponse } from "node:http";
import type { UsageSink } from "../../interceptors/_shared/types.js";

/** What the OTLP receiver (src/proxy/otlp, built separately) gets besides the request. */
export interface OtlpDeps {
  readonly sink: UsageSink;
}

/** Serves an OTLP path and returns true, or returns false for any other path. */
export type OtlpHandler = (req: IncomingMessage, res: ServerResponse, deps: OtlpDeps) => Promise<boolean>;

/**
 * MERGE HOOK: loads `handleOtlpRequest` from ./otlp/index.js when that module exists. The specifier is built at
 * run time so this compiles before the receiver lands; at merge, replace the body with a static import.
 */
export async function loadOtlpHandler(): Promise<OtlpHandler | undefined> {
  const specifier = ["./otlp", "index.js"].join("/");
  try {
    const mod = (await import(specifier)) as { handleOtlpRequest?: OtlpHandler };
    return typeof mod.handleOtlpRequest === "function" ? mod.handleOtlpRequest : undefined;
  } catch {
    return undefined;
  }
}
