/**
 * One set of process listeners for every tracker in this module copy, so many trackers never trigger
 * MaxListenersExceededWarning, and nothing is left behind once the last tracker shuts down.
 */
export interface ExitParticipant {
  /** Event loop drained: start an async flush if there is work (never re-trigger when idle). */
  onBeforeExit(): void;
  /** `process.exit()` or a fatal error: synchronous last write. */
  onExit(): void;
  /** Opt-in signal handling: flush within the deadline. */
  readonly handlesSignals: boolean;
  onSignal(): Promise<void>;
}

const participants = new Set<ExitParticipant>();
let installed = false;
let signalsInstalled = false;

const beforeExit = (): void => {
  for (const p of participants) p.onBeforeExit();
};
const exit = (): void => {
  for (const p of participants) p.onExit();
};
const onSignal = (signal: NodeJS.Signals): void => {
  const work = [...participants]
    .filter((p) => p.handlesSignals)
    .map((p) => p.onSignal().catch(() => undefined));
  void Promise.all(work).finally(() => {
    uninstallSignals();
    // Re-raise so the default behaviour (exit with 128 + signal number) is kept, but only when nobody else
    // handles the signal: the host's own handler already ran and owns what happens next.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
};

export function registerExitParticipant(p: ExitParticipant): void {
  participants.add(p);
  if (!installed) {
    process.on("beforeExit", beforeExit);
    process.on("exit", exit);
    installed = true;
  }
  if (p.handlesSignals && !signalsInstalled) {
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    signalsInstalled = true;
  }
}

export function unregisterExitParticipant(p: ExitParticipant): void {
  participants.delete(p);
  if (participants.size === 0 && installed) {
    process.off("beforeExit", beforeExit);
    process.off("exit", exit);
    installed = false;
  }
  if (signalsInstalled && ![...participants].some((x) => x.handlesSignals)) uninstallSignals();
}

function uninstallSignals(): void {
  process.off("SIGTERM", onSignal);
  process.off("SIGINT", onSignal);
  signalsInstalled = false;
}
