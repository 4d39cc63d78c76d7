import { TokenLedgerConfigError } from "../core/errors.js";

export interface ClaudeSetupOptions {
  /** The proxy's origin (see proxyOrigin); null to leave the base URL alone (OTLP only). */
  readonly proxyOrigin: string | null;
  /** Also send Claude Code's OpenTelemetry log events to the receiver at this origin. */
  readonly otlpOrigin: string | null;
}

/**
 * The `env` entries Claude Code needs. `ANTHROPIC_BASE_URL` takes the origin without `/v1` (Claude Code appends
 * `/v1/messages`). The exporter variables are the logs-only ones, so a metrics or traces exporter the user already
 * points elsewhere keeps its endpoint; `http/protobuf` is the smallest encoding both sides speak.
 */
export function claudeEnv(o: ClaudeSetupOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (o.proxyOrigin) env.ANTHROPIC_BASE_URL = o.proxyOrigin;
  if (o.otlpOrigin) {
    env.CLAUDE_CODE_ENABLE_TELEMETRY = "1";
    env.OTEL_LOGS_EXPORTER = "otlp";
    env.OTEL_EXPORTER_OTLP_LOGS_PROTOCOL = "http/protobuf";
    env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT = `${o.otlpOrigin}/v1/logs`;
  }
  return env;
}

/** The settings file's text with `env` merged in; every other key, and every other env entry, is kept. */
export function mergeClaudeSettings(
  existing: string | null,
  env: Record<string, string>,
  file: string,
): string {
  let settings: Record<string, unknown> = {};
  if (existing !== null && existing.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch (err) {
      throw new TokenLedgerConfigError(
        `${file} is not valid JSON (${(err as Error).message}); fix or move it, nothing was written`,
      );
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new TokenLedgerConfigError(`${file} must hold a JSON object; nothing was written`);
    }
    settings = parsed as Record<string, unknown>;
  }
  const current = settings.env;
  if (current !== undefined && (current === null || typeof current !== "object" || Array.isArray(current))) {
    throw new TokenLedgerConfigError(`${file}: "env" must be an object of strings; nothing was written`);
  }
  const merged = { ...settings, env: { ...(current as Record<string, unknown> | undefined), ...env } };
  return `${JSON.stringify(merged, null, 2)}\n`;
}
