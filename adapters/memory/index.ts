/**
 * `tokenledger/memory`: an in-process StorageAdapter (tests, `:memory:`). Nothing is persisted.
 * @module
 */
export { memoryStorage, MemoryStorage } from "./memory-storage.js";
