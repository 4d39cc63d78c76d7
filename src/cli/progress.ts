import cliProgress from "cli-progress";
import type { ImportProgress } from "../importers/run-import.js";

/** A byte-based progress bar on stderr, only when stderr is a terminal (never in pipes, CI or tests). */
export function terminalProgress(label: string): ImportProgress | undefined {
  if (!process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      // stderr, so `import --json > summary.json` keeps stdout clean while a person still sees the bar.
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} MB | {rate} MB/s | ETA {eta_formatted} | {files} files`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let bytes = 0;
  let started = 0;
  return {
    start: (total, files) => {
      started = performance.now();
      // Whole megabytes keep redraws rare; at least 1 so a small import still shows a bar that fills.
      bar.start(Math.max(1, Math.round(total / 1e6)), 0, { files, rate: "0" });
    },
    advance: (n) => {
      bytes += n;
      const seconds = (performance.now() - started) / 1000;
      bar.update(Math.round(bytes / 1e6), { rate: seconds > 0 ? (bytes / 1e6 / seconds).toFixed(0) : "0" });
    },
    stop: () => bar.stop(),
  };
}
