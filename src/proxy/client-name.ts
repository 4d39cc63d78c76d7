/**
 * Which program made the call, from its `user-agent`: coding agents by name, SDKs by language. `null` when the
 * agent is not one we know (the raw user-agent is not stored: it can carry machine details).
 */
export function clientFromUserAgent(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  const ua = userAgent.toLowerCase();
  if (ua.startsWith("claude-cli/") || ua.includes("claude-code")) return "claude-code";
  if (ua.startsWith("codex_") || ua.includes("codex")) return "codex";
  if (ua.startsWith("anthropic/js") || ua.startsWith("anthropic/ts")) return "anthropic-sdk-js";
  if (ua.startsWith("anthropic/python")) return "anthropic-sdk-python";
  if (ua.startsWith("openai/js")) return "openai-sdk-js";
  if (ua.startsWith("openai/python")) return "openai-sdk-python";
  if (ua.startsWith("node") || ua.startsWith("undici")) return "node";
  if (ua.startsWith("curl/")) return "curl";
  if (ua.startsWith("python-requests") || ua.startsWith("python-httpx")) return "python";
  return null;
}
