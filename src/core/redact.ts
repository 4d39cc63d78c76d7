// Secrets never reach storage or logs. Applied to every free-text field we persist: error messages, request ids,
// attribution values and metadata.
const PATTERNS: readonly RegExp[] = [
  /\b(sk|rk|pk)-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}/g, // OpenAI / Anthropic / Stripe-style keys
  /\bAIza[0-9A-Za-z_-]{30,}/g, // Google API keys
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\b(?:ghp|gho|ghu|ghs|github_pat)_[A-Za-z0-9_]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, // Slack
  /\btl_[a-z0-9]{8}_[A-Za-z0-9]{20,}/g, // tokenledger server API keys
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JWTs
  /\b(Bearer|Basic)\s{1,8}[A-Za-z0-9._~+/=-]{8,}/gi,
  /([a-z][a-z0-9+.-]{0,30}:\/\/)[^\s/@:]{0,256}:[^\s/@]{1,256}@/gi, // URL userinfo, user name optional (bounded: no backtracking blow-up)
  /((?:api[_-]?key|apikey|token|secret|password|passwd|pwd|authorization|x-api-key|key)["']?\s{0,8}[:=]\s{0,8}["']?)[^\s"'&,;]{6,}/gi,
];

// One cheap test that every pattern above needs to pass first (each needs one of these substrings): most text
// holds no secret, and running the nine replacements costs microseconds per string.
const MAYBE_SECRET =
  /[sprk]k-|AIza|A[KS]IA|gh[pous]_|github_pat_|xox[abprs]-|eyJ|bearer|basic|:\/\/|key|token|secret|passw|pwd|authoriz/i;

// Names whose value is a credential whatever it looks like (compared lower-cased, without `-` and `_`).
const SECRET_NAME =
  /(?:password|passwd|pwd|secret|token|apikey|authorization|credentials?|privatekey|cookie)$/;

/** Whether a field or header called `name` holds a credential (`apiKey`, `x-api-key`, `client_secret`, …). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.toLowerCase().replace(/[-_]/g, ""));
}

/** Replace anything that looks like a credential with `[REDACTED]`. */
export function redactSecrets(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  let out = text;
  for (const re of PATTERNS) {
    out = out.replace(re, (match: string, ...groups: unknown[]) => {
      const prefix =
        typeof groups[0] === "string" && /[:=/]\s*["']?$|:\/\/$/.test(groups[0]) ? groups[0] : "";
      return `${prefix}[REDACTED]${match.endsWith("@") ? "@" : ""}`;
    });
  }
  return out;
}

/** Redact and bound a message for storage. */
export function safeErrorMessage(message: unknown, maxLength = 1000): string | null {
  if (message === undefined || message === null) return null;
  // Bound the work first: nothing past twice the limit can survive the final cut anyway.
  const text = redactSecrets(String(message).slice(0, maxLength * 2));
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}
