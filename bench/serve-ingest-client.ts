// One ingest client of bench/serve-ingest.ts, in its own process (as a separate host would be): builds its
// events, serialises them and POSTs them in batches; reports the events the server created.
import { makeEvents } from "./storage-bench-util.js";

const { url, token, n, batch } = JSON.parse(process.argv[2]!) as {
  url: string;
  token: string;
  n: number;
  batch: number;
};
const parentPort = {
  postMessage: (m: unknown) => process.send!(m),
  once: (_e: "message", f: () => void) => process.once("message", f),
};
const bodies: string[] = [];
const events = makeEvents(n);
for (let i = 0; i < events.length; i += batch)
  bodies.push(JSON.stringify({ events: events.slice(i, i + batch) }));
parentPort.postMessage({ ready: true });
parentPort.once("message", async () => {
  let created = 0;
  for (const body of bodies) {
    const res = await fetch(`${url}/api/v1/usage`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    });
    const r = (await res.json()) as { created?: number };
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(r).slice(0, 200)}`);
    created += r.created ?? 0;
  }
  parentPort.postMessage({ created });
  process.disconnect();
});
