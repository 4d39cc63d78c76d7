/**
 * Cheaper tiers of the same family from the same provider, one step down. Matched on the model id with any date
 * suffix; only advised when the pricer prices both models.
 */
interface FamilyStep {
  readonly providers: readonly string[];
  readonly from: RegExp;
  readonly to: string;
}

const DATE = String.raw`(?:-\d{4}-?\d{2}-?\d{2}|-latest)?`;
const step = (providers: readonly string[], from: string, to: string): FamilyStep => ({
  providers,
  from: new RegExp(`^${from}${DATE}$`),
  to,
});
const OPENAI = ["openai", "azure"];
const ANTHROPIC = ["anthropic"];
const GEMINI = ["gemini", "vertex"];

const STEPS: readonly FamilyStep[] = [
  step(OPENAI, String.raw`gpt-4o`, "gpt-4o-mini"),
  step(OPENAI, String.raw`gpt-4\.1`, "gpt-4.1-mini"),
  step(OPENAI, String.raw`gpt-4\.1-mini`, "gpt-4.1-nano"),
  step(OPENAI, String.raw`gpt-5`, "gpt-5-mini"),
  step(OPENAI, String.raw`gpt-5-mini`, "gpt-5-nano"),
  step(ANTHROPIC, String.raw`claude-opus-4(?:-[015])?`, "claude-sonnet-4-5"),
  step(ANTHROPIC, String.raw`claude-sonnet-4(?:-[05])?`, "claude-haiku-4-5"),
  step(ANTHROPIC, String.raw`claude-3-5-sonnet`, "claude-3-5-haiku"),
  step(GEMINI, String.raw`gemini-2\.5-pro`, "gemini-2.5-flash"),
  step(GEMINI, String.raw`gemini-2\.5-flash`, "gemini-2.5-flash-lite"),
];

/** The next cheaper model of the same family, or undefined. */
export function cheaperSibling(provider: string, model: string): string | undefined {
  return STEPS.find((s) => s.providers.includes(provider) && s.from.test(model))?.to;
}
