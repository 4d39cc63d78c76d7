import cliProgress from "cli-progress";
import type { ImportProgress } from "../importers/run-import.js";

/** A byte-based progress bar on stderr, only when stderr is a terminal (never in pipes, CI or tests). */
export function terminalProgress(label: string): ImportProgress | undefined {
  if (!process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} MB | {files} files`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let bytes = 0;
  return {
    start: (total, files) => bar.start(Math.max(1, Math.round(total / 1e6)), 0, { files }),
    advance: (n) => {
      bytes += n;
      bar.update(Math.round(bytes / 1e6));
    },
    stop: () => bar.stop(),
  };
}
