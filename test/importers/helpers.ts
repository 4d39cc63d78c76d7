import { memoryStorage } from "tokenledger/memory";
import type { LedgerEvent, Pricer } from "tokenledger";
import { runImport, type ImportSummary } from "../../src/importers/run-import.js";
import { ImportState } from "../../src/importers/state.js";
import type { AgentImporter } from "../../src/importers/types.js";

/** Prices nothing, so tests look at tokens and attribution only. */
export const noPrices: Pricer = { price: () => ({ costUsd: null, pricingKey: null }) };

export async function importInto(
  importer: AgentImporter,
  root: string | readonly string[],
  opts: { storage?: ReturnType<typeof memoryStorage>; statePath?: string | null; pricer?: Pricer } = {},
): Promise<{ summary: ImportSummary; events: LedgerEvent[]; storage: ReturnType<typeof memoryStorage> }> {
  const storage = opts.storage ?? memoryStorage();
  await storage.init();
  const state = await ImportState.load(opts.statePath ?? null);
  const summary = await runImport({ importer, root, storage, pricer: opts.pricer ?? noPrices, state });
  const events: LedgerEvent[] = [];
  for await (const e of storage.events({})) events.push(e);
  return { summary, events, storage };
}
