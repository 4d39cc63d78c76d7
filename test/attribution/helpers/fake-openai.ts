import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

export interface FakeOpenAI {
  readonly baseURL: string;
  close(): Promise<void>;
}

/**
 * Start `fake-openai-server.mjs`: a local server on 127.0.0.1 speaking OpenAI's Chat Completions wire format
 * (JSON and SSE with `stream_options.include_usage`). The answer's `model` is `fake-<user>`, taken from the
 * request's `user` field, so every recorded event can be traced back to the request that caused it.
 * Usage: prompt_tokens = 10 + length of the first message, completion_tokens = 5.
 */
export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const script = fileURLToPath(new URL("./fake-openai-server.mjs", import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  const port = Number(line.toString().trim());
  if (!Number.isInteger(port)) throw new Error(`fake OpenAI server did not start: ${line.toString()}`);
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: async () => {
      if (child.exitCode !== null) return;
      child.stdin.end();
      await once(child, "exit");
    },
  };
}
