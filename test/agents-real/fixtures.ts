import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import type { CapturedExport } from "./capture-otlp.js";

export const AGENT_FIXTURES = new URL("../fixtures/agents/", import.meta.url);

/** A recorded run: what the agent sent upstream, what was billed, and the telemetry it exported. */
export interface AgentSessionFixture {
  readonly agent: "claude-code" | "codex";
  readonly agentVersion: string;
  readonly recordedAt: string;
  /** Upstream requests in order; bodies gzipped (agent system prompts and tool lists are ~100 KB each). */
  readonly requests: readonly {
    readonly method: string;
    readonly path: string;
    readonly headers: Record<string, string>;
    readonly bodyGzipBase64: string;
  }[];
  readonly billed: readonly { readonly requestId: string | null; readonly usage: Record<string, number> }[];
  readonly otlpExports: readonly CapturedExport[];
}

const SECRET_HEADERS = new Set(["authorization", "x-api-key", "cookie"]);

/** Request headers without credentials (the runs use fake keys, but a fixture never holds one). */
export function safeHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? "[redacted]" : Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

export function gz(body: unknown): string {
  const text = typeof body === "string" ? body : JSON.stringify(body ?? null);
  return gzipSync(text).toString("base64");
}

/**
 * Saved only when asked (TOKENLEDGER_RECORD_AGENT_FIXTURES=1), so CI runs never rewrite the repository.
 * Run prettier on the file after recording.
 */
export function maybeSaveFixture(name: string, fixture: AgentSessionFixture): void {
  if (process.env.TOKENLEDGER_RECORD_AGENT_FIXTURES !== "1") return;
  mkdirSync(AGENT_FIXTURES, { recursive: true });
  writeFileSync(new URL(name, AGENT_FIXTURES), `${JSON.stringify(fixture, null, 2)}\n`);
}

/** A run through the proxy: each request as the agent sent it to the proxy, in order (OTLP exports included). */
export interface ProxiedSessionFixture {
  readonly agent: "claude-code" | "codex";
  readonly agentVersion: string;
  readonly recordedAt: string;
  readonly requests: readonly {
    readonly method: string;
    /** Path and query as sent (`/v1/messages?beta=true`). */
    readonly url: string;
    readonly headers: Record<string, string>;
    readonly bodyGzipBase64: string;
    /** What the proxy answered in the recorded run. */
    readonly status: number;
  }[];
  /** The usage the fake upstream billed per call, in order (request id where the upstream sent one). */
  readonly billed: readonly { readonly requestId: string | null; readonly usage: Record<string, number> }[];
}

export function saveProxiedFixture(name: string, fixture: ProxiedSessionFixture): void {
  if (process.env.TOKENLEDGER_RECORD_AGENT_FIXTURES !== "1") return;
  mkdirSync(AGENT_FIXTURES, { recursive: true });
  writeFileSync(new URL(name, AGENT_FIXTURES), `${JSON.stringify(fixture, null, 2)}\n`);
}

export function readProxiedFixture(name: string): ProxiedSessionFixture {
  return JSON.parse(readFileSync(new URL(name, AGENT_FIXTURES), "utf8")) as ProxiedSessionFixture;
}

/** A recorded request body back as bytes. */
export function gunzipBody(bodyGzipBase64: string): Buffer {
  return gunzipSync(Buffer.from(bodyGzipBase64, "base64"));
}

export function gzBytes(body: Buffer): string {
  return gzipSync(body).toString("base64");
}
