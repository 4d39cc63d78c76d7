import { readFile } from "node:fs/promises";
import { cosmiconfig, type Loader } from "cosmiconfig";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { TokenLedgerConfigError } from "../core/errors.js";
import { configSchema, type TokenLedgerConfig } from "./schema.js";

export interface LoadedConfig {
  readonly config: TokenLedgerConfig;
  /** The file it came from, or null when none was found. */
  readonly filepath: string | null;
}

/** YAML with line/column in syntax errors (cosmiconfig's default loader would use js-yaml). */
const yamlLoader: Loader = (filepath, content) => {
  const doc = parseDocument(content, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const where = first.linePos?.[0]
      ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}`
      : "";
    throw new TokenLedgerConfigError(`${filepath}: invalid YAML${where}: ${first.message.split("\n")[0]}`);
  }
  return doc.toJS();
};

const explorer = () =>
  cosmiconfig("tokenledger", {
    searchPlaces: ["tokenledger.config.yaml", "tokenledger.config.yml"],
    // Walk up from cwd to the home directory, then `$XDG_CONFIG_HOME/tokenledger/config.yaml`.
    searchStrategy: "global",
    loaders: { ".yaml": yamlLoader, ".yml": yamlLoader, noExt: yamlLoader },
    cache: false,
  });

/**
 * Load the config: `explicit` (the `--config` flag) when given, else the nearest `tokenledger.config.yaml`
 * walking up from `cwd`, else `~/.config/tokenledger/config.yaml`. Throws a one-line error naming the file,
 * the key path and why.
 */
export async function loadConfig(explicit?: string, cwd = process.cwd()): Promise<LoadedConfig> {
  let filepath: string | null = null;
  let raw: unknown;
  if (explicit) {
    let content: string;
    try {
      content = await readFile(explicit, "utf8");
    } catch (error) {
      throw new TokenLedgerConfigError(
        `--config ${explicit}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
    filepath = explicit;
    raw = yamlLoader(explicit, content);
  } else {
    const found = await explorer().search(cwd);
    if (found) {
      filepath = found.filepath;
      raw = found.config;
    }
  }
  if (filepath === null || raw === null || raw === undefined) return { config: {}, filepath };
  return { config: validateConfig(raw, filepath), filepath };
}

export function validateConfig(raw: unknown, filepath: string): TokenLedgerConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new TokenLedgerConfigError(`${filepath}: ${describeIssues(result.error.issues)}`);
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path
        .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
        .join("")
        .replace(/^\./, "");
      if (issue.code === "unrecognized_keys") {
        const where = path ? ` in ${path}` : "";
        return `unknown key ${issue.keys.map((k) => `"${k}"`).join(", ")}${where}`;
      }
      return `${path || "(top level)"} ${issue.message}`;
    })
    .join("; ");
}
