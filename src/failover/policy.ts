import { TokenLedgerConfigError } from "tokenledger";
import type { ShareOptions } from "./shared-health.js";
import type { FailoverGroupOptions, GroupPolicy, WireFormat } from "./types.js";
import { WIRE_FORMATS, wireFormatOf } from "./wire-formats.js";

export const DEFAULT_POLICY: GroupPolicy = {
  errorRate: 0.05,
  minRequests: 20,
  windowMs: 60_000,
  consecutiveFailures: 3,
  slowFirstByteMs: 5_000,
  minLatencySamples: 10,
  cooldownMs: 30_000,
  maxCooldownMs: 300_000,
  firstByteTimeoutMs: 5_000,
  failoverOnStatuses: [],
  whenAllOpen: "fail-fast",
};

const POSITIVE_MS: readonly (keyof GroupPolicy)[] = [
  "windowMs",
  "slowFirstByteMs",
  "cooldownMs",
  "maxCooldownMs",
  "firstByteTimeoutMs",
];
const POSITIVE_INT: readonly (keyof GroupPolicy)[] = [
  "minRequests",
  "consecutiveFailures",
  "minLatencySamples",
];

/** Defaults filled in, every field checked; a bad value names its field. */
export function resolvePolicy(where: string, given: Partial<GroupPolicy> | undefined): GroupPolicy {
  if (given !== undefined && (given === null || typeof given !== "object")) {
    throw new TokenLedgerConfigError(`${where}.policy: must be an object`);
  }
  const p: GroupPolicy = { ...DEFAULT_POLICY, ...stripUndefined(given ?? {}) };
  for (const k of POSITIVE_MS) {
    const v = p[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      throw new TokenLedgerConfigError(
        `${where}.policy.${k}: must be a positive number of ms, got ${show(v)}`,
      );
    }
  }
  for (const k of POSITIVE_INT) {
    const v = p[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new TokenLedgerConfigError(`${where}.policy.${k}: must be a positive integer, got ${show(v)}`);
    }
  }
  if (typeof p.errorRate !== "number" || !(p.errorRate > 0 && p.errorRate <= 1)) {
    throw new TokenLedgerConfigError(
      `${where}.policy.errorRate: must be in (0, 1], got ${show(p.errorRate)}`,
    );
  }
  if (p.maxCooldownMs < p.cooldownMs) {
    throw new TokenLedgerConfigError(
      `${where}.policy.maxCooldownMs: must be at least cooldownMs (${p.cooldownMs})`,
    );
  }
  if (
    !Array.isArray(p.failoverOnStatuses) ||
    !p.failoverOnStatuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599)
  ) {
    throw new TokenLedgerConfigError(`${where}.policy.failoverOnStatuses: must list HTTP statuses 400–599`);
  }
  if (p.whenAllOpen !== "fail-fast" && p.whenAllOpen !== "degraded") {
    throw new TokenLedgerConfigError(
      `${where}.policy.whenAllOpen: must be "fail-fast" or "degraded", got ${show(p.whenAllOpen)}`,
    );
  }
  return p;
}

/** Checks targets: known provider, a client with the SDK's request seam, one wire format for the group. */
export function checkGroup(options: FailoverGroupOptions): WireFormat {
  if (!options || typeof options !== "object")
    throw new TokenLedgerConfigError("failover: options must be an object");
  if (typeof options.name !== "string" || options.name.trim() === "") {
    throw new TokenLedgerConfigError("failover: name must be a non-empty string");
  }
  const where = `failover group "${options.name}"`;
  if (!Array.isArray(options.targets) || options.targets.length === 0) {
    throw new TokenLedgerConfigError(`${where}: targets must list at least one target`);
  }
  let format: WireFormat | undefined;
  options.targets.forEach((t, i) => {
    const at = `${where}: targets[${i}]`;
    if (!t || typeof t !== "object") throw new TokenLedgerConfigError(`${at}: must be an object`);
    if (typeof t.provider !== "string") throw new TokenLedgerConfigError(`${at}.provider: must be a string`);
    const f = wireFormatOf(t.provider);
    if (!f) {
      throw new TokenLedgerConfigError(
        `${at}.provider: unknown provider "${t.provider}" (known: ${Object.keys(WIRE_FORMATS).join(", ")})`,
      );
    }
    if (t.model !== undefined && (typeof t.model !== "string" || t.model === "")) {
      throw new TokenLedgerConfigError(`${at}.model: must be a non-empty string when given`);
    }
    const client = t.client as { makeRequest?: unknown; withOptions?: unknown } | undefined;
    if (!client || typeof client !== "object") {
      throw new TokenLedgerConfigError(`${at}.client: missing; pass a configured SDK client`);
    }
    if (typeof client.makeRequest !== "function" || typeof client.withOptions !== "function") {
      throw new TokenLedgerConfigError(
        `${at}.client: not a supported SDK client (openai ≥5 or @anthropic-ai/sdk, Bedrock or Vertex clients)`,
      );
    }
    if (format && f !== format) {
      throw new TokenLedgerConfigError(
        `${at}.provider: "${t.provider}" speaks the ${f} wire format but targets[0] speaks ${format}; ` +
          `a group fails over only between targets of one format`,
      );
    }
    format = f;
  });
  return format as WireFormat;
}

/** The `share` option: a store with `write` and `readSince`, and a positive poll interval. */
export function checkShare(where: string, share: ShareOptions): ShareOptions {
  const store = (share as { store?: { write?: unknown; readSince?: unknown } } | null)?.store;
  if (!store || typeof store.write !== "function" || typeof store.readSince !== "function") {
    throw new TokenLedgerConfigError(
      `${where}.share.store: must have write() and readSince() (the SQL storages' providerHealth)`,
    );
  }
  const ms = share.pollMs;
  if (ms !== undefined && (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0)) {
    throw new TokenLedgerConfigError(
      `${where}.share.pollMs: must be a positive number of ms, got ${show(ms)}`,
    );
  }
  return share;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}
