export { AGENTS, applyAgentSetup, parseAgent, planAgentSetup } from "./setup.js";
export type { AgentName, AgentSetupOptions, AgentSetupPlan } from "./setup.js";
export { CANNOT_PROXY } from "./limits.js";
export { claudeSettingsPath, codexConfigPath } from "./paths.js";
export { DEFAULT_PROXY_URL } from "./urls.js";
