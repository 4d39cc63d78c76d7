import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export interface ServeProcess {
  /** `http://127.0.0.1:<port>`, as `serve` printed it. */
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGTERM, then the exit code once the process has closed its pipes. */
  stop(): Promise<number | null>;
}

/** `tokenledger serve --port 0 <args>` from source, resolved once it prints its URL. */
export async function startServeCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "src/cli/index.ts"), "serve", "--port", "0", ...args],
    {
      env: { PATH: process.env.PATH ?? "", TSX_TSCONFIG_PATH: join(ROOT, "tsconfig.json"), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const closed = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
  let out = "";
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not print its URL: ${out}`)), 45_000);
      child.stdout.setEncoding("utf8").on("data", (d: string) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]!);
        }
      });
    });
    return {
      url,
      child,
      stop: () => {
        child.kill("SIGTERM");
        return closed;
      },
    };
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
}
