import { Box, Text } from "ink";
import { bar, countdown, formatAmount, gaugeColor, percentUsed, WINDOW_LABELS } from "../../quota/format.js";
import { pace } from "../../quota/pace.js";
import type { QuotaSnapshot } from "../../quota/types.js";

const GAUGE_WIDTH = 16;

function PaceText({ s, now }: { s: QuotaSnapshot; now: Date }) {
  const p = pace(s, now);
  if (p.state === "deficit" && p.runsOutAt) return <Text color="red">runs out in {countdown(p.runsOutAt, now)}</Text>;
  if (p.state === "reserve") return <Text color="green">lasts until reset</Text>;
  if (p.state === "on_pace") return <Text>on pace</Text>;
  return null;
}

/** One quota: label, gauge, used / limit and percent, reset countdown and pace. Unknown is shown as such. */
export function SnapshotLine({ s, now }: { s: QuotaSnapshot; now: Date }) {
  const label = (WINDOW_LABELS[s.window] ?? s.window).padEnd(16);
  if (s.unlimited)
    return (
      <Text>
        {label} <Text dimColor>unlimited</Text>
      </Text>
    );
  const pct = percentUsed(s);
  const amount = s.limit === null ? formatAmount(s.used, s.unit) : `${formatAmount(s.used, s.unit)} / ${formatAmount(s.limit, s.unit)}`;
  return (
    <Box flexDirection="column">
      <Text>
        {label} {s.limit !== null ? <Text color={gaugeColor(pct)}>{bar(pct, GAUGE_WIDTH)}</Text> : null} {amount}
        {pct !== null ? ` (${pct}%)` : ""}
      </Text>
      {s.resetAt || s.note ? (
        <Text dimColor>
          {"".padEnd(17)}
          {s.resetAt ? `resets in ${countdown(new Date(s.resetAt), now)}  ` : ""}
          {s.note ?? ""} <PaceText s={s} now={now} />
        </Text>
      ) : null}
    </Box>
  );
}
