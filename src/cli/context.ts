import { existsSync } from "node:fs";
import pc from "picocolors";
import {
  describeTarget,
  parseDatabaseUrl,
  resolveDatabaseTarget,
  type DatabaseTarget,
} from "../core/database-url.js";
import type { TokenLedgerPricer } from "../pricing/index.js";
import type { StorageAdapter } from "../core/storage.js";
import { TokenLedgerConfigError } from "../core/errors.js";
import { resolveStorage } from "../storage-resolver.js";
import { loadConfig } from "../config/load.js";
import type { TokenLedgerConfig } from "../config/schema.js";
import type { Colors } from "./format/table.js";
import { localTimeZone } from "./time.js";

/** Flags every command accepts (declared on the root program). */
export interface GlobalOptions {
  readonly db?: string;
  readonly config?: string;
  readonly debug?: boolean;
  readonly color?: boolean;
}

/**
 * What a command needs: the config, the ledger, the pricer, the zone, and the two output channels.
 * stdout carries data only; notices, progress and errors go to stderr.
 */
export class CliContext {
  #storage: Promise<StorageAdapter> | undefined;
  #pricer: Promise<TokenLedgerPricer> | undefined;

  private constructor(
    readonly config: TokenLedgerConfig,
    readonly configPath: string | null,
    readonly target: DatabaseTarget,
    readonly colors: Colors,
    readonly debugEnabled: boolean,
  ) {}

  static async create(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<CliContext> {
    // A blank --db (an unset shell variable: --db "$URL") must not fall through to the default ledger silently.
    if (globals.db !== undefined && globals.db.trim() === "")
      throw new TokenLedgerConfigError(
        "--db is blank: give a SQLite file path or a postgres:// URL, or leave --db out for the default ledger",
      );
    const { config, filepath } = await loadConfig(globals.config);
    let target = resolveDatabaseTarget(globals.db, env);
    // The config file's database sits between the environment and the default file.
    if (target.source === "default" && config.database)
      target = parseDatabaseUrl(config.database, `${filepath}: database`);
    // Colour only for a person at a terminal: piped output and NO_COLOR (https://no-color.org) get plain text.
    const colorWanted =
      globals.color !== false && !("NO_COLOR" in env && env.NO_COLOR !== "") && process.stdout.isTTY === true;
    return new CliContext(config, filepath, target, pc.createColors(colorWanted), globals.debug === true);
  }

  /** `--tz`, else the config's `timezone`, else the machine's zone. */
  timeZone(flag?: string): string {
    return flag ?? this.config.timezone ?? localTimeZone();
  }

  /** The ledger, opened (and migrated) on first use. */
  storage(): Promise<StorageAdapter> {
    this.#storage ??= (async () => {
      this.debug(`ledger: ${describeTarget(this.target)} (from ${this.target.source})`);
      const storage = await resolveStorage(this.target);
      await storage.init();
      return storage;
    })();
    return this.#storage;
  }

  /**
   * The ledger for a read-only command (report, costs, export): never creates one. A SQLite ledger that does
   * not exist yet is an error saying so, instead of an empty file (and directories) left behind.
   */
  existingStorage(): Promise<StorageAdapter> {
    const t = this.target;
    if (t.kind === "sqlite" && !existsSync(t.path)) {
      return Promise.reject(
        new TokenLedgerConfigError(
          `no ledger at ${t.path} (from ${t.source}): nothing has been recorded there yet. ` +
            "Check --db / TOKENLEDGER_DATABASE_URL, or record first (track() in your app, or `tokenledger import`).",
        ),
      );
    }
    return this.storage();
  }

  /** The catalog plus the config's prices, loaded once per command and only by commands that price. */
  pricer(): Promise<TokenLedgerPricer> {
    // The catalog is the largest module the CLI has: commands that only read stored costs never load it.
    this.#pricer ??= import("./pricer.js").then((m) => m.loadPricer(this.config, this.configPath));
    return this.#pricer;
  }

  /** Data: waits for the pipe to drain so a large export never piles up in memory. */
  async out(text: string): Promise<void> {
    if (!process.stdout.write(text))
      await new Promise<void>((resolve) => process.stdout.once("drain", resolve));
  }

  /** Notices for people; never part of the data. */
  note(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  debug(text: string): void {
    if (this.debugEnabled) process.stderr.write(`${this.colors.dim(`[debug] ${text}`)}\n`);
  }

  async close(): Promise<void> {
    if (this.#storage) await (await this.#storage.catch(() => undefined))?.close();
  }
}
