// Moved to src/core (the ledger id rule is shared by importers, batches, the proxy and the OTLP receiver).
export { stableEventId } from "../core/stable-id.js";
