import { Box, Text, useApp } from "ink";
import { useStableInput } from "./use-stable-input.js";
import { useEffect, useRef, useState } from "react";
import { countdown, percentUsed } from "../../quota/format.js";
import { jitteredInterval, type AccountView, type QuotaMonitor } from "../../quota/monitor.js";
import { AddFlow, type AddActions } from "./add-flow.js";
import { KeySource } from "./key-source.js";
import { SnapshotLine } from "./snapshot-lines.js";

export interface DashboardProps {
  readonly monitor: QuotaMonitor;
  readonly actions: AddActions & { remove(view: AccountView): Promise<void> };
  /** Refresh period before jitter (60 s). */
  readonly refreshMs?: number;
  /** Start with a refresh (off in tests that drive refreshes themselves). */
  readonly refreshOnStart?: boolean;
  readonly now?: () => Date;
}

/** The account list: marker, 15 characters of name, percent and the stale star; the details get the rest of 80. */
const LIST_WIDTH = 23;
const SHORT: Record<string, string> = { openrouter: "OR", copilot: "GH" };

type Mode = { kind: "browse" } | { kind: "add" } | { kind: "confirm-delete"; view: AccountView };

/** The worst (highest) percent used across an account's metered quotas, for the list on the left. */
function worst(view: AccountView): number | null {
  const ps = view.snapshots.map(percentUsed).filter((p): p is number => p !== null);
  return ps.length ? Math.max(...ps) : null;
}

/**
 * `tokenledger quota` on a TTY. Output stays within 24 rows so Ink never redraws past the screen (the
 * cause of flicker in full-height Ink apps); the clock ticks once a second, fetches run every ~60 s.
 */
export function Dashboard({
  monitor,
  actions,
  refreshMs = 60_000,
  refreshOnStart = true,
  now = () => new Date(),
}: DashboardProps) {
  const [views, setViews] = useState(() => monitor.views());
  useEffect(() => monitor.subscribe(() => setViews(monitor.views())), [monitor]);
  useClockTick();
  const { busy, nextAt, refresh } = useRefreshSchedule(monitor, refreshMs, refreshOnStart);
  const { mode, selected, go, addKeys } = useDashboardKeys(views, actions, refresh);
  const current = views[Math.min(selected, views.length - 1)];
  const t = now();
  return (
    <Box flexDirection="column" width={80}>
      <Text>
        <Text bold>tokenledger quota</Text>
        <Text dimColor>
          {"  "}
          {views.length} account{views.length === 1 ? "" : "s"} ·{" "}
          {busy ? "refreshing…" : `next refresh in ${countdown(new Date(nextAt), new Date())}`}
        </Text>
      </Text>
      <Box marginTop={1} minHeight={14}>
        <AccountList views={views} selected={selected} />
        <Box flexDirection="column" flexGrow={1}>
          {current ? <Details view={current} now={t} /> : null}
        </Box>
      </Box>
      {mode.kind === "add" ? (
        <AddFlow actions={actions} keys={addKeys} onDone={() => go({ kind: "browse" })} />
      ) : mode.kind === "confirm-delete" ? (
        <Text color="yellow">
          Delete {mode.view.account.provider}/{mode.view.account.label} and its stored credential? y/n
        </Text>
      ) : (
        <Text dimColor>j/k move · r refresh · a add · d delete · q quit (* stale)</Text>
      )}
    </Box>
  );
}

/** Re-render once a second so countdowns move; the interval is cleared when the dashboard unmounts. */
function useClockTick(): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
}

/**
 * Fetch every `refreshMs` with ±10 % jitter (many monitors never hit a provider in step), and on `r`.
 * Each timeout schedules the next, so a slow fetch never stacks a second one behind it on a fixed interval.
 */
function useRefreshSchedule(monitor: QuotaMonitor, refreshMs: number, refreshOnStart: boolean) {
  const [busy, setBusy] = useState(false);
  const [nextAt, setNextAt] = useState(() => Date.now() + refreshMs);
  const refresh = () => {
    setBusy(true);
    void monitor.refresh().finally(() => setBusy(false));
  };
  useEffect(() => {
    let timer: NodeJS.Timeout;
    const schedule = () => {
      const wait = jitteredInterval(refreshMs);
      setNextAt(Date.now() + wait);
      timer = setTimeout(() => {
        refresh();
        schedule();
      }, wait);
    };
    if (refreshOnStart) refresh();
    schedule();
    return () => clearTimeout(timer);
  }, [monitor, refreshMs]);
  return { busy, nextAt, refresh };
}

/** The browse / add / confirm-delete keys. In add mode keys go to the add flow through `addKeys`. */
function useDashboardKeys(
  views: readonly AccountView[],
  actions: DashboardProps["actions"],
  refresh: () => void,
) {
  const { exit } = useApp();
  const [selected, setSelected] = useState(0);
  const [mode, setMode] = useState<Mode>({ kind: "browse" });
  // Keys are judged against refs that the handler itself keeps current, not against the last render:
  // a key that arrives before React renders the previous one (d then y, typed fast) still sees its mode.
  const live = useRef({ mode, selected, views });
  live.current.views = views;
  const [addKeys] = useState(() => new KeySource());
  const go = (next: Mode) => {
    live.current.mode = next;
    if (next.kind !== "add") addKeys.clear();
    setMode(next);
  };
  const select = (i: number) => {
    live.current.selected = i;
    setSelected(i);
  };
  useStableInput((input, key) => {
    const { mode: m, selected: sel, views: vs } = live.current;
    if (m.kind === "confirm-delete") {
      if (input === "y") void actions.remove(m.view).finally(() => go({ kind: "browse" }));
      else if (input === "n" || key.escape) go({ kind: "browse" });
      return;
    }
    if (m.kind === "add") return addKeys.push(input, key);
    if (input === "q" || (key.ctrl && input === "c")) return exit();
    if (input === "j" || key.downArrow) select(Math.min(sel + 1, Math.max(0, vs.length - 1)));
    if (input === "k" || key.upArrow) select(Math.max(0, sel - 1));
    if (input === "r") refresh();
    if (input === "a") go({ kind: "add" });
    const view = vs[Math.min(sel, vs.length - 1)];
    if (input === "d" && view) go({ kind: "confirm-delete", view });
  });
  return { mode, selected, go, addKeys };
}

function AccountList({ views, selected }: { views: readonly AccountView[]; selected: number }) {
  return (
    <Box flexDirection="column" width={LIST_WIDTH} flexShrink={0} marginRight={1}>
      {views.length === 0 ? <Text dimColor>no accounts yet: press a</Text> : null}
      {views.map((v, i) => {
        const p = worst(v);
        return (
          <Text
            key={`${v.account.provider}:${v.account.accountId}`}
            inverse={i === selected}
            color={v.needsLogin ? "red" : undefined}
          >
            {i === selected ? "›" : " "}{" "}
            {`${SHORT[v.account.provider] ?? v.account.provider} ${v.account.label}`.slice(0, 15).padEnd(15)}
            {p === null ? "   ?" : `${String(Math.round(p)).padStart(3)}%`}
            {v.stale ? "*" : " "}
          </Text>
        );
      })}
    </Box>
  );
}

function Details({ view, now }: { view: AccountView; now: Date }) {
  return (
    <Box flexDirection="column">
      <Text bold>
        {view.account.provider} · {view.account.label}
        {view.account.credentialFrom === "env" ? <Text dimColor> (from environment)</Text> : null}
      </Text>
      {view.snapshots.length === 0 ? <Text dimColor>no data yet</Text> : null}
      {view.snapshots.map((s) => (
        <SnapshotLine key={s.window} s={s} now={now} history={view.history[s.window] ?? []} />
      ))}
      <Text dimColor>
        {view.fetchedAt ? `updated ${countdown(now, new Date(view.fetchedAt))} ago` : "not fetched yet"}
        {view.stale ? " · stale" : ""}
      </Text>
      {view.needsLogin ? <Text color="red">log in again: press a (the last data is kept, stale)</Text> : null}
      {view.lastError ? <Text color="red">{view.lastError.slice(0, 120)}</Text> : null}
    </Box>
  );
}
