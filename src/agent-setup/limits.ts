import type { AgentName } from "./setup.js";

/** What the setup cannot cover, per agent: calls that never pass through this machine, or modes the proxy lacks. */
export const CANNOT_PROXY: Readonly<Record<AgentName, readonly string[]>> = {
  claude: [
    "Bedrock and Vertex modes (CLAUDE_CODE_USE_BEDROCK / CLAUDE_CODE_USE_VERTEX) read other base-URL variables and " +
      "the proxy has no Bedrock or Vertex routes: use --otlp so the api_request events are still recorded.",
    "Sessions that run on Anthropic's servers (Claude Code on the web, cloud tasks) cannot reach a local proxy or " +
      "receiver; import their transcripts instead (tokenledger import claude-code).",
    "A project's .claude/settings.json cannot set the OpenTelemetry exporter; these go in the user settings file " +
      "(or managed settings), which is where --write puts them.",
  ],
  codex: [
    "With a ChatGPT sign-in (no API key), Codex calls ChatGPT's backend rather than the OpenAI API; the provider " +
      "written here uses OPENAI_API_KEY. Without a key, import Codex's logs instead (tokenledger import codex).",
    "Codex cloud tasks run on OpenAI's servers and never reach the proxy.",
    "The built-in `openai` provider ignores base_url in config.toml, which is why a separate provider is added; " +
      "OPENAI_BASE_URL=<proxy>/v1 in the environment is the one-off alternative.",
    "Editors whose base-URL override is called from the vendor's servers (Cursor) cannot reach 127.0.0.1 at all: " +
      "only a public tunnel to the proxy would work.",
  ],
};
