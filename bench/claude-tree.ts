/**
 * A synthetic Claude Code `projects/` tree of a given size, shaped like real ones: per request a user line with a
 * tool result (0.5–16 KB, most of the bytes), two or three streaming snapshots of the assistant message (thinking,
 * text, tool_use; only the last has a stop_reason), occasional summary lines, and a subagent file now and then.
 * Text contains the words "usage" and "input_tokens" so a naive substring filter would be fooled.
 */
import { createWriteStream, mkdirSync, utimesSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";

export interface TreeStats {
  readonly files: number;
  readonly bytes: number;
  readonly lines: number;
  readonly requests: number;
}

const FILLER =
  'const usage = await client.messages.create({ model, max_tokens: 1024 }); // "input_tokens" are billed per request\n';

function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

async function writeSession(path: string, bytes: number, seed: number, agentId?: string): Promise<TreeStats> {
  const out = createWriteStream(path);
  const r = rng(seed + 7);
  const session = `5e55${seed.toString(16).padStart(4, "0")}-0000-4000-8000-${seed.toString(16).padStart(12, "0")}`;
  const cwd = `/home/dev/project-${seed % 7}`;
  let written = 0;
  let lines = 0;
  let requests = 0;
  const base = Date.UTC(2026, 9, 1) + seed * 3_600_000;
  const emit = async (o: object) => {
    const s = `${JSON.stringify(o)}\n`;
    written += Buffer.byteLength(s);
    lines += 1;
    if (!out.write(s)) await once(out, "drain");
  };
  for (let i = 0; written < bytes; i++) {
    const at = new Date(base + i * 9000).toISOString();
    const common = {
      parentUuid: `p-${seed}-${i}`,
      isSidechain: agentId !== undefined,
      userType: "external",
      cwd,
      sessionId: session,
      version: "2.0.31",
      gitBranch: "main",
      ...(agentId ? { agentId } : {}),
    };
    const result = FILLER.repeat(Math.floor(4 + r() * 140));
    await emit({
      ...common,
      type: "user",
      message: {
        role: "user",
        content: [{ tool_use_id: `toolu_${i}`, type: "tool_result", content: result }],
      },
      uuid: `u-${seed}-${i}`,
      timestamp: at,
      toolUseResult: { stdout: result.slice(0, 2000), stderr: "", interrupted: false },
    });
    const id = `msg_01${seed.toString(36)}${i.toString(36).padStart(8, "0")}`;
    const snapshots = 2 + (i % 2);
    const model = i % 5 === 0 ? "claude-opus-4-1-20250805" : "claude-sonnet-4-5-20250929";
    const blocks = [
      { type: "thinking", thinking: FILLER.repeat(2 + Math.floor(r() * 6)), signature: "Eo0E".repeat(60) },
      { type: "text", text: "Let me look at the failing test and the stack trace first. ".repeat(3) },
      {
        type: "tool_use",
        id: `toolu_${i + 1}`,
        name: "Read",
        input: { file_path: `${cwd}/src/usage.ts`, usage: 1 },
      },
    ];
    for (let s = 0; s < snapshots; s++) {
      const final = s === snapshots - 1;
      await emit({
        ...common,
        message: {
          model,
          id,
          type: "message",
          role: "assistant",
          content: [blocks[s % blocks.length]],
          stop_reason: final ? "tool_use" : null,
          stop_sequence: null,
          usage: {
            input_tokens: 4 + (i % 9),
            cache_creation_input_tokens: i === 0 ? 12_000 : 300 + (i % 700),
            cache_read_input_tokens: 20_000 + i * 40,
            cache_creation: {
              ephemeral_5m_input_tokens: i === 0 ? 12_000 : 300 + (i % 700),
              ephemeral_1h_input_tokens: 0,
            },
            output_tokens: final ? 80 + (i % 900) : 1 + s,
            service_tier: "standard",
          },
        },
        requestId: `req_011C${seed.toString(36)}${i.toString(36).padStart(8, "0")}`,
        type: "assistant",
        uuid: `a-${seed}-${i}-${s}`,
        timestamp: at,
      });
    }
    requests += 1;
    if (i % 200 === 199)
      await emit({ type: "summary", summary: "Fixing usage accounting", leafUuid: `a-${seed}-${i}-0` });
  }
  out.end();
  await once(out, "finish");
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(path, past, past);
  return { files: 1, bytes: written, lines, requests };
}

/** Write `megabytes` of sessions of ~`fileMb` each under `projectsDir`; every 5th session gets a subagent file. */
export async function writeClaudeTree(
  projectsDir: string,
  megabytes: number,
  fileMb = 8,
  firstSeed = 0,
): Promise<TreeStats> {
  const total = { files: 0, bytes: 0, lines: 0, requests: 0 };
  const count = Math.max(1, Math.round(megabytes / fileMb));
  for (let f = firstSeed; f < firstSeed + count; f++) {
    const folder = join(projectsDir, `-home-dev-project-${f % 7}`);
    mkdirSync(folder, { recursive: true });
    const parts: TreeStats[] = [];
    if (f % 5 === 4) {
      const sub = join(folder, `session-${f}`, "subagents");
      mkdirSync(sub, { recursive: true });
      parts.push(
        await writeSession(
          join(sub, `agent-${f.toString(16)}.jsonl`),
          (megabytes / count) * 0.2 * 1e6,
          f + 100_000,
          f.toString(16),
        ),
      );
      parts.push(await writeSession(join(folder, `session-${f}.jsonl`), (megabytes / count) * 0.8 * 1e6, f));
    } else parts.push(await writeSession(join(folder, `session-${f}.jsonl`), (megabytes / count) * 1e6, f));
    for (const p of parts) {
      total.files += p.files;
      total.bytes += p.bytes;
      total.lines += p.lines;
      total.requests += p.requests;
    }
  }
  return total;
}
