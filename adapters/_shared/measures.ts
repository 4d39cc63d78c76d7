// Summing measures has one home (src/core/measures.ts), shared with the CLI; the adapters reach it here.
export { emptyRaw, addEvent, addRaw, toMeasures, type RawMeasures } from "../../src/core/measures.js";
export { formatCost } from "../../src/core/money.js";
