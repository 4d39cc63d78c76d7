import type { LedgerEvent } from "../../core/event.js";
import type { RollupMeasures } from "../../core/query.js";
import { startOfHour, wallTime } from "../time.js";
import { MeasureSum } from "./measures.js";

export const BLOCK_HOURS = 5;
const BLOCK_MS = BLOCK_HOURS * 3600_000;

export type BlockRow = RollupMeasures & {
  /** Block start as local wall time in the report zone, `YYYY-MM-DDTHH:00`. */
  readonly period: string;
  readonly blockStart: string;
  readonly blockEnd: string;
  readonly firstEventAt: string;
  readonly lastEventAt: string;
  /** The block's window includes now. */
  readonly active: boolean;
};

/**
 * Rolling 5-hour windows, as coding-agent plans meter them: a block opens at the hour of the first call
 * after the previous block ended (or after 5 idle hours) and lasts 5 hours. Events must arrive oldest first.
 */
export async function computeBlocks(
  events: AsyncIterable<LedgerEvent>,
  timeZone: string,
  now = new Date(), // a parameter so a test can pin which block is active
): Promise<BlockRow[]> {
  const rows: BlockRow[] = [];
  let start = 0;
  let first = 0;
  let last = 0;
  let sum: MeasureSum | undefined;
  const close = () => {
    if (!sum) return;
    const w = wallTime(new Date(start), timeZone);
    const pad = (n: number) => String(n).padStart(2, "0");
    rows.push({
      period: `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:00`,
      blockStart: new Date(start).toISOString(),
      blockEnd: new Date(start + BLOCK_MS).toISOString(),
      firstEventAt: new Date(first).toISOString(),
      lastEventAt: new Date(last).toISOString(),
      active: now.getTime() >= start && now.getTime() < start + BLOCK_MS,
      ...sum.toMeasures(),
    });
  };
  for await (const event of events) {
    const t = event.timestamp.getTime();
    if (!sum || t >= start + BLOCK_MS || t - last >= BLOCK_MS) {
      close();
      // The top of the hour in the report's zone: in a +5:30 zone that is not a UTC hour.
      start = startOfHour(event.timestamp, timeZone).getTime();
      first = t;
      sum = new MeasureSum();
    }
    sum.add(event);
    last = t;
  }
  close();
  return rows;
}
