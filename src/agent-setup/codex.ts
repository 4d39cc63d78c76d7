import { parse, stringify, TomlError } from "smol-toml";
import { TokenLedgerConfigError } from "../core/errors.js";

/** The provider id the setup adds; the built-in `openai` provider ignores a `base_url` in config.toml. */
export const CODEX_PROVIDER_ID = "tokenledger";

/**
 * A custom model provider for the proxy, selected as the default. `base_url` includes `/v1` (Codex appends
 * `/responses`); `wire_api = "responses"` is the only value current Codex accepts. The key comes from
 * `OPENAI_API_KEY` and reaches the proxy as `Authorization`, which the proxy forwards untouched.
 */
export function codexSettings(o: CodexSetupOptions): Record<string, unknown> {
  return {
    ...(o.proxyOrigin
      ? {
          model_provider: CODEX_PROVIDER_ID,
          model_providers: {
            [CODEX_PROVIDER_ID]: {
              name: "OpenAI through tokenledger",
              base_url: `${o.proxyOrigin}/v1`,
              env_key: "OPENAI_API_KEY",
              wire_api: "responses",
            },
          },
        }
      : {}),
    // Codex's own log events (codex.sse_event carries each response's token counts), sent as OTLP/HTTP protobuf.
    ...(o.otlpOrigin
      ? { otel: { exporter: { "otlp-http": { endpoint: `${o.otlpOrigin}/v1/logs`, protocol: "binary" } } } }
      : {}),
  };
}

export interface CodexSetupOptions {
  /** The proxy's origin; null to keep the selected provider (OTLP only). */
  readonly proxyOrigin: string | null;
  /** Send Codex's OpenTelemetry log events to the receiver at this origin. */
  readonly otlpOrigin: string | null;
}

export interface CodexMerge {
  readonly text: string;
  /** The `model_provider` that was selected before, when it was another one. */
  readonly previousProvider: string | null;
}

/**
 * config.toml with the provider merged in: other providers, profiles, MCP servers and every other key are kept
 * (written back by smol-toml, so comments and layout are not; the backup has them).
 */
export function mergeCodexConfig(existing: string | null, o: CodexSetupOptions, file: string): CodexMerge {
  let config: Record<string, unknown> = {};
  if (existing !== null && existing.trim() !== "") {
    try {
      config = parse(existing) as Record<string, unknown>;
    } catch (err) {
      const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : "";
      const first = ((err as Error).message.split("\n")[0] ?? "").trim();
      throw new TokenLedgerConfigError(
        `${file} is not valid TOML${where} (${first}); fix or move it, nothing was written`,
      );
    }
  }
  const providers = config.model_providers;
  if (
    providers !== undefined &&
    (typeof providers !== "object" || providers === null || Array.isArray(providers))
  ) {
    throw new TokenLedgerConfigError(`${file}: model_providers must be a table; nothing was written`);
  }
  const otel = config.otel;
  if (otel !== undefined && (typeof otel !== "object" || otel === null || Array.isArray(otel))) {
    throw new TokenLedgerConfigError(`${file}: otel must be a table; nothing was written`);
  }
  const wanted = codexSettings(o);
  const previous = typeof config.model_provider === "string" ? config.model_provider : null;
  const merged: Record<string, unknown> = { ...config };
  if (o.proxyOrigin) {
    merged.model_provider = wanted.model_provider;
    merged.model_providers = {
      ...(providers as Record<string, unknown> | undefined),
      ...(wanted.model_providers as Record<string, unknown>),
    };
  }
  // Only the exporter is set: log_user_prompt and the other [otel] keys stay as the user has them.
  if (o.otlpOrigin)
    merged.otel = { ...(otel as Record<string, unknown> | undefined), ...(wanted.otel as object) };
  return {
    text: `${stringify(merged)}\n`,
    previousProvider: o.proxyOrigin && previous !== null && previous !== CODEX_PROVIDER_ID ? previous : null,
  };
}

/** The snippet to paste, for printing. */
export function codexSnippet(o: CodexSetupOptions): string {
  return `${stringify(codexSettings(o))}\n`;
}
