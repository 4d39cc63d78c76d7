import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as cp from "../fixtures/quota/copilot.js";
import * as or from "../fixtures/quota/openrouter.js";
import { sandbox } from "../helpers/cli.js";
import { fakeQuotaServer } from "./fake-quota-server.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const hasTmux = (() => {
  try {
    execFileSync("tmux", ["-V"]);
    return true;
  } catch {
    return false;
  }
})();
// CI installs tmux (.ci/run); a developer machine without it skips with a visible reason.
const inCi = process.env.CI === "true";

describe.skipIf(!hasTmux && !inCi)("quota dashboard in a real terminal (tmux 80×24)", () => {
  const socket = `tl-quota-${process.pid}`;
  const tmux = (...args: string[]) =>
    execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8" });
  const pane = () => tmux("capture-pane", "-p", "-t", "q");
  let servers: { close(): Promise<void> }[] = [];

  async function until(pred: (screen: string) => boolean, ms = 30_000): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const s = pane();
      if (pred(s)) return s;
      if (Date.now() > end) throw new Error(`screen never matched:\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    const orServer = await fakeQuotaServer({ "/api/v1/key": { json: or.keyDailyCap } });
    const ghServer = await fakeQuotaServer({
      "/copilot_internal/user": { json: cp.business },
      "/user": { json: cp.user },
    });
    servers = [orServer, ghServer];
    const box = sandbox();
    const env = {
      ...box.env,
      TOKENLEDGER_OPENROUTER_URL: orServer.url,
      TOKENLEDGER_GITHUB_API_URL: ghServer.url,
      OPENROUTER_API_KEY: "sk-or-v1-tmux",
      TOKENLEDGER_COPILOT_TOKEN: "ghu_tmux",
      TSX_TSCONFIG_PATH: join(ROOT, "tsconfig.json"),
      TERM: "xterm-256color",
      PATH: process.env.PATH ?? "",
    };
    const envArgs = Object.entries(env)
      .map(([k, v]) => `${k}='${v}'`)
      .join(" ");
    const cmd = `env -i ${envArgs} ${process.execPath} --import tsx ${join(ROOT, "src", "cli", "index.ts")} quota`;
    tmux("new-session", "-d", "-s", "q", "-x", "80", "-y", "24", "-c", ROOT, cmd);
  });
  afterAll(async () => {
    try {
      tmux("kill-server");
    } catch {
      /* already gone */
    }
    await Promise.all(servers.map((s) => s.close()));
  });

  it("paints the accounts, moves with j, and quits with q", async () => {
    const first = await until((s) => s.includes("daily limit") && s.includes("GH octo"));
    expect(first).toContain("tokenledger quota");
    expect(first).toMatch(/\$3\.25 \/ \$10\.00/);
    expect(first.split("\n").every((l) => l.length <= 80)).toBe(true);
    tmux("send-keys", "-t", "q", "j");
    await until((s) => s.includes("premium reqs"));
    tmux("send-keys", "-t", "q", "q");
    const end = Date.now() + 15_000;
    let alive = true;
    while (alive && Date.now() < end) {
      try {
        tmux("has-session", "-t", "q");
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });
});
