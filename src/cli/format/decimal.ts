// The CLI computes with the one money configuration (src/core/money.ts); kept as a path for its importers.
export { Dec } from "../../core/money.js";
