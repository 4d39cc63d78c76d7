import type { IncomingHttpHeaders } from "node:http";
import type { Attribution } from "../core/attribution.js";
import { mergeAttribution } from "../core/attribution.js";
import { ATTRIBUTION_PREFIX, headerValue } from "./headers.js";
import { clientFromUserAgent } from "./client-name.js";

/** `x-tokenledger-<name>` → attribution field. */
const HEADER_FIELDS = {
  user: "userId",
  team: "teamId",
  project: "projectId",
  feature: "feature",
  "cost-center": "costCenter",
} as const satisfies Record<string, keyof Attribution>;

/** Longest value kept from an attribution header (a header can be kilobytes). */
const MAX_VALUE = 200;

function clean(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v.slice(0, MAX_VALUE) : undefined;
}

/**
 * Who made the call, in precedence order: explicit `x-tokenledger-*` headers, then the identity of the
 * tokenledger key, then the agents' own session (Claude Code, Codex) and subagent (Claude Code) headers. The
 * client (claude-code, codex, an SDK) comes from `user-agent` and is stored as `metadata.client` (and as `app`
 * when nothing else set one).
 */
export function requestAttribution(
  headers: IncomingHttpHeaders,
  identity: Attribution | undefined,
): Attribution {
  const explicit: Record<string, unknown> = {};
  for (const [suffix, field] of Object.entries(HEADER_FIELDS)) {
    const v = clean(headerValue(headers, ATTRIBUTION_PREFIX + suffix));
    if (v) explicit[field] = v;
  }
  const metadata: Record<string, unknown> = {};
  const tags = headerValue(headers, `${ATTRIBUTION_PREFIX}tags`);
  if (tags) {
    const list = tags
      .split(",")
      .map((t) => clean(t))
      .filter((t): t is string => !!t)
      .slice(0, 32);
    if (list.length) metadata.tags = list;
  }
  const client = clientFromUserAgent(headerValue(headers, "user-agent"));
  if (client) metadata.client = client;
  const subagent = clean(headerValue(headers, "x-claude-code-agent-id"));
  if (subagent) metadata.subagent = subagent;
  // Codex names its session in a plain `session-id` header, trusted only from Codex (a generic name).
  const session =
    clean(headerValue(headers, "x-claude-code-session-id")) ??
    (client === "codex" ? clean(headerValue(headers, "session-id")) : undefined);

  const agent: Attribution = {
    ...(session ? { sessionId: session } : {}),
    ...(client ? { app: client } : {}),
  };
  const fromHeaders: Attribution = { ...explicit, ...(Object.keys(metadata).length ? { metadata } : {}) };
  return mergeAttribution(mergeAttribution(agent, identity), fromHeaders);
}
