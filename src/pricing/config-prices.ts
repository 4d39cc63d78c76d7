import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { TokenLedgerConfigError } from "../core/errors.js";
import type { OverridesDocument } from "./overrides.js";

/**
 * The `prices:` section of `tokenledger.config.yaml`, for the SDK: the same file and the same search as the
 * CLI (nearest `tokenledger.config.yaml` / `.yml` from the working directory up to the home directory, then
 * `$XDG_CONFIG_HOME/tokenledger/config.yaml`), so a price added for `tokenledger prices check` also prices
 * new events. Read synchronously, once, when the default pricer is built.
 */
const NAMES = ["tokenledger.config.yaml", "tokenledger.config.yml"];

export function findConfigFile(
  cwd: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const home = resolve(env.HOME ?? homedir());
  let dir = resolve(cwd);
  for (;;) {
    for (const name of NAMES) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
    const parent = dirname(dir);
    if (dir === home || parent === dir) break;
    dir = parent;
  }
  const xdg = join(env.XDG_CONFIG_HOME ?? join(home, ".config"), "tokenledger", "config.yaml");
  return existsSync(xdg) ? xdg : null;
}

/** `prices` of a config file, as an overrides document. Throws naming the file when it cannot be used. */
export function readConfigPrices(path: string): OverridesDocument {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new TokenLedgerConfigError(
      `${path}: cannot be read as YAML: ${(err as Error).message.split("\n")[0]}`,
    );
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new TokenLedgerConfigError(`${path}: expected a mapping of settings`);
  const prices = (doc as Record<string, unknown>).prices;
  if (prices === undefined || prices === null) return {};
  if (typeof prices !== "object" || Array.isArray(prices))
    throw new TokenLedgerConfigError(`${path}: prices must be a mapping of "provider/model" to rates`);
  return { prices: prices as OverridesDocument["prices"] };
}
