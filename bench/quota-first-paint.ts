/**
 * Quota dashboard first paint: open a SQLite ledger that holds stored snapshots, load them and render the
 * first Ink frame with data, no network (target: under 300 ms). Baseline from the same run: Ink rendering
 * a static line (what any Ink app pays). Run alone: `node --import tsx bench/quota-first-paint.ts`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { performance } from "node:perf_hooks";
import { createElement } from "react";
import { sqliteStorage } from "../adapters/sqlite/index.js";
import { QuotaMonitor } from "../src/quota/monitor.js";
import type { QuotaSnapshot } from "../src/quota/types.js";
import { median, printTable } from "./util.js";

// Ink paints only the last frame when it believes it runs in CI (`.ci/run` sets CI=true). First paint is about a
// user's terminal, so read Ink (which checks once, when loaded) as a terminal session would.
process.env.CI = "0";
delete process.env.CONTINUOUS_INTEGRATION;
const { render, Text } = await import("ink");
const { Dashboard } = await import("../src/cli/quota-tui/dashboard.js");

const RUNS = Number(process.env.BENCH_QUICK === "1" ? 5 : 20);

class Screen extends Writable {
  frame = "";
  columns = 80;
  rows = 24;
  isTTY = true;
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.frame += chunk.toString();
    cb();
  }
}

/** A keyboard that never types: Ink needs raw mode on its stdin, which a bench's pipe does not have. */
class Keyboard extends EventEmitter {
  isTTY = true;
  setRawMode() {}
  setEncoding() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
  read() {
    return null;
  }
}

function snapshot(accountId: string, window: QuotaSnapshot["window"], used: string): QuotaSnapshot {
  return {
    provider: accountId.startsWith("gh") ? "copilot" : "openrouter",
    accountId,
    window,
    used,
    limit: "300",
    unit: "requests",
    unlimited: false,
    resetAt: "2027-01-01T00:00:00.000Z",
    source: "bench",
    note: null,
    fetchedAt: new Date().toISOString(),
  };
}

async function firstFrame(
  make: () => ReturnType<typeof createElement>,
  done: (frame: string) => boolean,
): Promise<number> {
  const stdout = new Screen();
  const t0 = performance.now();
  const app = render(make(), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: new Keyboard() as unknown as NodeJS.ReadStream,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  while (!done(stdout.frame)) {
    if (performance.now() - t0 > 10_000) throw new Error(`no frame matched in 10 s:\n${stdout.frame}`);
    await new Promise((r) => setImmediate(r));
  }
  const ms = performance.now() - t0;
  app.unmount();
  if (stdout.frame.includes("ERROR")) throw new Error(`the dashboard failed:\n${stdout.frame.slice(-1500)}`);
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), "tl-bench-quota-"));
try {
  const path = join(dir, "ledger.db");
  const seed = sqliteStorage({ path });
  await seed.init();
  for (let i = 0; i < 200; i++)
    await seed.quotaHistory.save([
      snapshot("gh1", "premium", String(i)),
      snapshot("or1", "daily", String(i / 10)),
    ]);
  await seed.close();

  const baseline: number[] = [];
  const paint: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(
      await firstFrame(
        () => createElement(Text, null, "tokenledger quota"),
        (f) => f.includes("quota"),
      ),
    );
    const t0 = performance.now();
    const storage = sqliteStorage({ path });
    await storage.init();
    const monitor = new QuotaMonitor(
      [
        { account: { provider: "copilot", accountId: "gh1", label: "octo" }, secret: null },
        { account: { provider: "openrouter", accountId: "or1", label: "key" }, secret: null },
      ],
      { history: storage.quotaHistory },
    );
    await monitor.loadStored();
    const actions = {
      addKey: async () => "",
      startDeviceLogin: async () => ({
        userCode: "",
        verificationUri: "",
        done: new Promise<string>(() => {}),
      }),
      remove: async () => {},
    };
    const render = await firstFrame(
      () => createElement(Dashboard, { monitor, actions, refreshOnStart: false }),
      (f) => f.includes("199 req"),
    );
    paint.push(performance.now() - t0);
    void render;
    await storage.close();
  }
  const b = median(baseline);
  const p = median(paint);
  printTable(
    "quota dashboard first paint from stored snapshots (median)",
    ["case", "ms", "vs baseline"],
    [
      ["baseline: Ink renders one static line", b.toFixed(1), "1.00×"],
      ["open SQLite ledger + load 2 accounts' history + first frame", p.toFixed(1), `${(p / b).toFixed(2)}×`],
    ],
  );
  process.stdout.write(`target: under 300 ms (${p < 300 ? "met" : "MISSED"}); runs: ${RUNS}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
