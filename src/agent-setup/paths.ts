import { homedir } from "node:os";
import { join } from "node:path";

/** Claude Code's user settings: `$CLAUDE_CONFIG_DIR/settings.json`, else `~/.claude/settings.json`. */
export function claudeSettingsPath(
  env: NodeJS.ProcessEnv = process.env,
  home = env.HOME || homedir(),
): string {
  const dir = env.CLAUDE_CONFIG_DIR?.trim();
  return join(dir ? dir : join(home, ".claude"), "settings.json");
}

/** Codex's config: `$CODEX_HOME/config.toml`, else `~/.codex/config.toml`. */
export function codexConfigPath(env: NodeJS.ProcessEnv = process.env, home = env.HOME || homedir()): string {
  const dir = env.CODEX_HOME?.trim();
  return join(dir ? dir : join(home, ".codex"), "config.toml");
}
