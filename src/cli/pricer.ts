import { createPricer, type PriceInput, type TokenLedgerPricer } from "../pricing/index.js";
import type { TokenLedgerConfig } from "../config/schema.js";

/**
 * The bundled catalog, the LiteLLM cache written by `prices import`, and the config file's `prices`
 * overrides (highest priority). A bad override is reported against the config file.
 */
export async function loadPricer(
  config: TokenLedgerConfig,
  configPath: string | null = null,
): Promise<TokenLedgerPricer> {
  try {
    return createPricer({ overrides: (config.prices ?? {}) as Record<string, PriceInput> });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(configPath ? `${configPath}: prices: ${message}` : message);
  }
}
