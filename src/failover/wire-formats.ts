import type { WireFormat } from "./types.js";

/** Provider name → wire format. A provider not listed here is refused at configuration time. */
export const WIRE_FORMATS: Readonly<Record<string, WireFormat>> = {
  openai: "openai",
  azure: "openai",
  "azure-openai": "openai",
  "openai-compatible": "openai",
  openrouter: "openai",
  groq: "openai",
  together: "openai",
  deepseek: "openai",
  mistral: "openai",
  fireworks: "openai",
  xai: "openai",
  ollama: "openai",
  vllm: "openai",
  anthropic: "anthropic",
  "bedrock-anthropic": "anthropic",
  "vertex-anthropic": "anthropic",
};

export function wireFormatOf(provider: string): WireFormat | undefined {
  return WIRE_FORMATS[provider.toLowerCase()];
}
