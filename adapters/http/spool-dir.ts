import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/**
 * `$XDG_STATE_HOME/tokenledger/spool/<hash of the server URL>`, else `~/.local/state/...`. One directory per server:
 * a batch spooled for one server is never replayed to another.
 */
export function defaultSpoolDir(baseUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)
      ? env.XDG_STATE_HOME
      : join(homedir(), ".local", "state");
  const key = createHash("sha256").update(baseUrl).digest("hex").slice(0, 16);
  return join(base, "tokenledger", "spool", key);
}
