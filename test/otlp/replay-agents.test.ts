import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentSessionFixture } from "../agents-real/fixtures.js";
import { AGENT_FIXTURES } from "../agents-real/fixtures.js";
import { receiverWithCapture } from "./support.js";

/**
 * Replays the telemetry real agent CLIs exported in a recorded run (test/agents-real, recorded with
 * TOKENLEDGER_RECORD_AGENT_FIXTURES=1) and checks the ledger against what the fake upstream billed in that run.
 */
const sessions = readdirSync(AGENT_FIXTURES)
  .filter((f) => f.endsWith("-session.json"))
  .map(
    (f) => [f, JSON.parse(readFileSync(new URL(f, AGENT_FIXTURES), "utf8")) as AgentSessionFixture] as const,
  );

let r: Awaited<ReturnType<typeof receiverWithCapture>> | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

describe("replayed agent telemetry -> ledger", () => {
  it("has recorded sessions to replay", () => {
    expect(sessions.map(([f]) => f)).toContain("claude-code-session.json");
  });

  it.each(sessions)(
    "%s: every billed call is one row with exact tokens, also when the exports arrive twice",
    async (_, s) => {
      r = await receiverWithCapture();
      for (const round of [1, 2]) {
        for (const e of s.otlpExports) {
          const res = await r.post(e.path, Buffer.from(e.bodyBase64, "base64"), {
            "content-type": e.contentType,
            ...(e.contentEncoding ? { "content-encoding": e.contentEncoding } : {}),
          });
          expect(res.status, `export ${e.path} round ${round}`).toBe(200);
        }
      }
      const rows = await r.rows();
      expect(rows).toHaveLength(s.billed.length);
      const byTokens = (u: Record<string, number>) => JSON.stringify(u);
      const want = s.billed.map((b) => byTokens(normalised(s.agent, b.usage))).sort();
      const got = rows
        .map((e) =>
          byTokens({
            uncachedInputTokens: e.usage.uncachedInputTokens,
            cacheReadTokens: e.usage.cacheReadTokens,
            cacheWriteTokens: e.usage.cacheWrite5mTokens + e.usage.cacheWrite1hTokens,
            outputTokens: e.usage.outputTokens,
          }),
        )
        .sort();
      expect(got).toEqual(want);
      for (const b of s.billed)
        if (b.requestId) expect(rows.some((e) => e.requestId === b.requestId)).toBe(true);
      expect(rows.every((e) => e.metadata?.source === "otlp" && !e.unpriced)).toBe(true);
      if (s.agent === "claude-code") {
        // The recorded session delegated once to a general-purpose subagent: its call is marked as such.
        expect(rows.filter((e) => e.metadata?.agentName === "general-purpose")).toHaveLength(1);
      }
    },
  );
});

/** The fake upstream's usage (provider wire format) as ledger buckets. */
function normalised(agent: AgentSessionFixture["agent"], u: Record<string, number>) {
  if (agent === "claude-code") {
    return {
      uncachedInputTokens: u.input_tokens!,
      cacheReadTokens: u.cache_read_input_tokens!,
      cacheWriteTokens: u.cache_creation_input_tokens!,
      outputTokens: u.output_tokens!,
    };
  }
  // OpenAI Responses: input includes the cached tokens.
  return {
    uncachedInputTokens: u.input_tokens! - u.cached_tokens!,
    cacheReadTokens: u.cached_tokens!,
    cacheWriteTokens: 0,
    outputTokens: u.output_tokens!,
  };
}
