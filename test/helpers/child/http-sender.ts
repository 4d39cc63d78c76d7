// Child for test/http-backend: a process tracking usage through the tokenledger server backend (tokenledger/http).
// argv[2] is JSON: { mode, url, apiKey, spoolDir, count, team, costUsd, unsafe }.
//   send:   record `count` events in small bursts, shut down, print {"stats":...}.
//   spool:  record `count` events (the server is down), flush (they land in the spool), print "spooled", wait to be killed.
//   replay: send what the spool holds, print {"replay":...}, exit.
//   exit:   record `count` events and call process.exit() at once (the synchronous exit hook spools them).
import { TokenTracker } from "tokenledger";
import { httpStorage } from "tokenledger/http";

interface Args {
  mode: "send" | "spool" | "replay" | "exit";
  url: string;
  apiKey: string;
  spoolDir: string;
  count?: number;
  team?: string;
  costUsd?: string;
  unsafe?: boolean;
  /** Spread the events over about a second (so a server restart lands mid-run). */
  slow?: boolean;
}

const args = JSON.parse(process.argv[2] ?? "{}") as Args;
const storage = httpStorage({
  url: args.url,
  apiKey: args.apiKey,
  spoolDir: args.spoolDir,
  requestTimeoutMs: 2000,
  retry: { baseMs: 50, maxMs: 400 },
  logger: { warn: () => {}, error: () => {} },
  ...(args.unsafe ? { unsafeReplayWithoutClaim: true } : {}),
});

function record(tracker: TokenTracker, i: number): void {
  tracker.record({
    provider: "openai",
    model: "gpt-4o",
    usage: { uncachedInputTokens: 10, outputTokens: 5 },
    costUsd: args.costUsd ?? "0.000123",
    attribution: { teamId: args.team ?? "t", feature: `f${i % 3}` },
  });
}

if (args.mode === "replay") {
  await storage.init();
  let total = 0;
  for (let i = 0; i < 50; i++) {
    const r = await storage.flushSpool();
    total += r.delivered;
    if (r.error === null) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  await storage.close();
  process.stdout.write(`${JSON.stringify({ replay: { delivered: total, stats: storage.stats() } })}\n`);
} else {
  const tracker = new TokenTracker({
    storage,
    flushIntervalMs: 20,
    maxBatchSize: 25,
    logger: false,
  });
  const count = args.count ?? 100;
  if (args.mode === "exit") {
    await tracker.storage(); // opened, as in an app that has been running a while
    for (let i = 0; i < count; i++) record(tracker, i);
    process.exit(0); // no flush, no shutdown: only the synchronous exit hook runs
  }
  for (let i = 0; i < count; i++) {
    record(tracker, i);
    if (i === 24) process.stdout.write("started\n");
    if (i % 25 === 24) await new Promise((r) => setTimeout(r, args.slow ? 60 : 5));
  }
  if (args.mode === "spool") {
    await tracker.flush({ timeoutMs: 20_000 });
    process.stdout.write(`spooled ${JSON.stringify(storage.stats())}\n`);
    setInterval(() => {}, 1000); // wait for SIGKILL
  } else {
    const r = await tracker.shutdown({ timeoutMs: 20_000 });
    process.stdout.write(
      `${JSON.stringify({ stats: { ...tracker.stats(), shutdown: r, http: storage.stats() } })}\n`,
    );
  }
}
