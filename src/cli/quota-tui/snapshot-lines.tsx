import { Box, Text } from "ink";
import { bar, countdown, formatAmount, gaugeColor, percentUsed, WINDOW_LABELS } from "../../quota/format.js";
import { pace } from "../../quota/pace.js";
import type { QuotaSnapshot } from "../../quota/types.js";

const GAUGE_WIDTH = 10;
const LABEL_WIDTH = 15;

function paceText(
  s: QuotaSnapshot,
  now: Date,
  history: readonly QuotaSnapshot[],
): { text: string; color?: string } | null {
  const p = pace(s, now, history);
  if (p.state === "deficit" && p.runsOutAt)
    return { text: `runs out in ${countdown(p.runsOutAt, now)}`, color: "red" };
  if (p.state === "reserve") return { text: "lasts until reset", color: "green" };
  if (p.state === "on_pace") return { text: "on pace" };
  return null;
}

/**
 * One quota in at most three short lines (the right pane is ~55 columns): label, gauge, used / limit and
 * percent; then reset countdown and pace; then the provider's note. Unknown is shown as such.
 */
export function SnapshotLine({
  s,
  now,
  history = [],
}: {
  s: QuotaSnapshot;
  now: Date;
  history?: readonly QuotaSnapshot[];
}) {
  const label = (WINDOW_LABELS[s.window] ?? s.window).slice(0, LABEL_WIDTH - 1).padEnd(LABEL_WIDTH);
  if (s.unlimited)
    return (
      <Text>
        {label}
        <Text dimColor>unlimited</Text>
      </Text>
    );
  const pct = percentUsed(s);
  const amount =
    s.limit === null
      ? formatAmount(s.used, s.unit)
      : `${formatAmount(s.used, s.unit)} / ${formatAmount(s.limit, s.unit)}`;
  const p = paceText(s, now, history);
  const indent = "".padEnd(LABEL_WIDTH);
  return (
    <Box flexDirection="column">
      <Text>
        {label}
        {s.limit !== null ? <Text color={gaugeColor(pct)}>{bar(pct, GAUGE_WIDTH)} </Text> : null}
        {amount}
        {pct !== null ? ` (${pct}%)` : ""}
      </Text>
      {s.resetAt || p ? (
        <Text dimColor>
          {indent}
          {s.resetAt ? `resets in ${countdown(new Date(s.resetAt), now)}` : ""}
          {s.resetAt && p ? " · " : ""}
          {p ? <Text color={p.color}>{p.text}</Text> : null}
        </Text>
      ) : null}
      {s.note ? (
        <Text dimColor>
          {indent}
          {s.note}
        </Text>
      ) : null}
    </Box>
  );
}
