import { stat } from "node:fs/promises";
import type { AgentImporter } from "../importers/types.js";
import { readJsonLines } from "../importers/line-reader.js";
import { walkFiles } from "../importers/walk.js";
import type { BatchContext, BatchFormat } from "./types.js";

export type BatchImportOptions = Omit<BatchContext, "fallbackTimestamp">;

/**
 * A batch output format as an importer for `runImport` (same state, de-duplication and summary as the agent
 * logs): re-importing a file adds nothing, because every record has a stable event id. Records without a time
 * of their own get the file's modification time (when the provider wrote the results).
 */
export function batchImporter(format: BatchFormat, options: BatchImportOptions = {}): AgentImporter {
  return {
    agent: format.name,
    listFiles: (root) => walkFiles(root, (name) => format.acceptsFile(name)),
    async parseFile(path, sink) {
      const fallbackTimestamp = Math.floor((await stat(path)).mtimeMs);
      const context: BatchContext = { ...options, fallbackTimestamp };
      for await (const line of readJsonLines(path, sink)) {
        const result = format.toEvent(line.value, line.text, context);
        if (result.ok) await sink.event(result.event);
        else sink.malformed(line.number, result.reason);
      }
    },
  };
}
