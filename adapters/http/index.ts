/**
 * `tokenledger/http`: write-only storage that sends usage to a `tokenledger serve` server, with a local spool.
 * @module
 */
export { httpStorage, HttpStorage } from "./http-storage.js";
export type { HttpStorageStats, SpoolFlushResult } from "./http-storage.js";
export type { HttpStorageOptions } from "./http-storage-config.js";
export { UsageRequestError } from "./usage-client.js";
export type { SpoolStats } from "./spool.js";
