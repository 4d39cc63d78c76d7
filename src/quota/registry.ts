import { copilotProvider } from "./providers/copilot.js";
import { openrouterProvider } from "./providers/openrouter.js";
import type { QuotaProvider } from "./types.js";

/** Every quota source. Adding one is a file in providers/ and a line here. */
export const QUOTA_PROVIDERS: readonly QuotaProvider[] = [openrouterProvider, copilotProvider];

export function quotaProvider(id: string): QuotaProvider {
  const p = QUOTA_PROVIDERS.find((x) => x.id === id);
  if (!p)
    throw new Error(`unknown quota provider "${id}" (known: ${QUOTA_PROVIDERS.map((x) => x.id).join(", ")})`);
  return p;
}
