import type { LedgerEvent } from "tokenledger";

/**
 * Poll until at least `n` events are stored, or 5 s have passed (then return what there is, so the test's
 * own assertion reports the shortfall). Recording happens on promise callbacks after the caller resumes.
 */
export async function waitForEvents(
  flushed: () => Promise<LedgerEvent[]>,
  n: number,
): Promise<LedgerEvent[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const events = await flushed();
    if (events.length >= n || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 5));
  }
}
