import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { messageEvents, type AnthropicServer } from "./anthropic-server.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export interface ProxyProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>`, as the proxy printed it. */
  readonly url: string;
  /** The exit code once the process has closed its pipes. */
  readonly closed: Promise<number | null>;
  /** Everything the proxy wrote to stderr so far. */
  stderr(): string;
}

/** `tokenledger proxy --port 0 --upstream-anthropic <url>` from source, resolved once it listens. */
export async function startProxyCli(upstreamUrl: string, env: Record<string, string>): Promise<ProxyProcess> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(ROOT, "src/cli/index.ts"),
      "proxy",
      "--port",
      "0",
      "--upstream-anthropic",
      upstreamUrl,
    ],
    {
      env: { PATH: process.env.PATH ?? "", TSX_TSCONFIG_PATH: join(ROOT, "tsconfig.json"), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const closed = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
  let err = "";
  try {
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`proxy did not start: ${err}`)), 45_000);
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        err += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      });
    });
    return { child, url, closed, stderr: () => err };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}

/** One streamed Anthropic message through `base` (321 tokens in, 54 out), read to the end. */
export async function streamedMessageThrough(
  upstream: AnthropicServer,
  base: string,
  model = "claude-sonnet-4-6",
): Promise<void> {
  upstream.enqueue({
    kind: "sse",
    events: messageEvents({
      model,
      start: { input_tokens: 321, output_tokens: 1 },
      deltas: [{ output_tokens: 54 }],
    }),
  });
  const res = await fetch(`${base}/v1/messages`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": "sk-ant-test",
      "anthropic-version": "2023-06-01",
    },
    body: JSON.stringify({
      model,
      max_tokens: 64,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  expect(res.status).toBe(200);
  await res.text();
}
