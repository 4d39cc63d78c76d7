import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  getContext,
  instrument,
  instrumentationReady,
  TokenLedgerConfigError,
  track,
  unpatch,
  untrack,
  type Attribution,
} from "tokenledger";
import { tokenLedger } from "tokenledger/express";
import { trackCost } from "../../src/manual.js";
import { CaptureStorage } from "../helpers/capture.js";
import { startFakeOpenAI, type FakeOpenAI } from "./helpers/fake-openai.js";
import { chatTwice, misattributed, runPool } from "./helpers/llm-work.js";

let fake: FakeOpenAI;
const storage = new CaptureStorage();
const tracker = track({
  storage,
  instrument: false,
  logger: false,
  autoFlushOnExit: false,
  maxQueueSize: 10_000,
});

async function listen(app: express.Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Events recorded from now on (earlier ones are flushed first so they are not counted). */
async function eventsFromHere(): Promise<() => Promise<typeof storage.stored>> {
  await tracker.flush();
  const start = storage.stored.length;
  return async () => {
    await tracker.flush();
    return storage.stored.slice(start);
  };
}

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  unpatch();
  await untrack();
  await fake.close();
});

describe("tokenLedger() options are checked at setup", () => {
  const cases: [string, unknown, RegExp][] = [
    ["a typo in an option name", { header: {} }, /unknown option "header"/],
    [
      "a header map naming no attribution field",
      { headers: { user: "x-user" } },
      /"headers.user" is not an attribution field/,
    ],
    [
      "a header name that is not a string",
      { headers: { userId: 5 } },
      /"headers.userId" must be a header name or false/,
    ],
    [
      "an invalid header name",
      { headers: { userId: "x user" } },
      /"headers.userId" must be a valid HTTP header name/,
    ],
    [
      "two fields on one header",
      { headers: { teamId: "x-user-id" } },
      /maps both "userId" and "teamId" to the header "x-user-id"/,
    ],
    ["resolve that is not a function", { resolve: { userId: "u" } }, /"resolve" must be a function/],
    ["a non-boolean routeMetadata", { routeMetadata: "yes" }, /"routeMetadata" must be true or false/],
    [
      "malformed fixed attribution",
      { attribution: { teamId: 3 } },
      /option "attribution".*"teamId" must be a string/,
    ],
    ["options that are not an object", "x-user-id", /options must be an object/],
  ];
  it.each(cases)("%s", (_name, options, message) => {
    expect(() => tokenLedger(options as any)).toThrow(TokenLedgerConfigError);
    expect(() => tokenLedger(options as any)).toThrow(message);
  });
});

describe("attribution from each request", () => {
  let server: { url: string; close: () => Promise<void> };
  const warnings: string[] = [];
  const middleware = tokenLedger({ logger: { warn: (m) => warnings.push(m), error: () => {} } });
  const seen: Attribution[] = [];

  beforeAll(async () => {
    const app = express();
    app.use(middleware);
    app.use(express.json());
    const rooms = express.Router();
    rooms.post("/:room/messages", (req, res) => {
      seen.push(getContext());
      trackCost({
        provider: "groq",
        model: "llama-3.1-8b-instant",
        usage: { inputTokens: req.body.n ?? 1, outputTokens: 1 },
      });
      res.json({ ok: true });
    });
    app.use("/rooms", rooms);
    server = await listen(app);
  });
  afterAll(() => server.close());

  const post = (headers: Record<string, string>, body: unknown = { n: 3 }) =>
    fetch(`${server.url}/rooms/lobby/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  it("maps the default headers to attribution and puts the route pattern and method in metadata", async () => {
    const events = await eventsFromHere();
    const res = await post({
      "x-user-id": "user_42",
      "x-team-id": "team-a",
      "x-project-id": "proj:7",
      "x-feature": "chat.reply",
      "x-cost-center": "cc/emea",
      "x-session-id": "3f2b8c1e-9d7a-4c1e-8f00-1a2b3c4d5e6f",
    });
    expect(res.status).toBe(200);
    const [event] = await events();
    expect(event).toMatchObject({
      userId: "user_42",
      teamId: "team-a",
      projectId: "proj:7",
      feature: "chat.reply",
      costCenter: "cc/emea",
      sessionId: "3f2b8c1e-9d7a-4c1e-8f00-1a2b3c4d5e6f",
      metadata: { method: "POST", route: "/rooms/:room/messages" },
    });
  });

  it("drops invalid header values, counts them, warns once per header and never stores them", async () => {
    const before = middleware.stats();
    const events = await eventsFromHere();
    const bad = ["x".repeat(129), "<script>alert(1)</script>", "robert'); drop table", "a b", "ünïcode"];
    for (const value of bad) {
      const res = await post({ "x-user-id": value, "x-team-id": "ok-team" });
      expect(res.status).toBe(200);
    }
    const stored = await events();
    expect(stored).toHaveLength(bad.length);
    for (const e of stored) expect(e).toMatchObject({ userId: null, teamId: "ok-team" });
    const after = middleware.stats();
    expect(after.invalidHeaders - before.invalidHeaders).toBe(bad.length);
    expect(after.invalidHeadersByName["x-user-id"]).toBeGreaterThanOrEqual(bad.length);
    expect(warnings.filter((w) => w.includes('"x-user-id"'))).toHaveLength(1);
    expect(warnings.join("\n")).not.toContain("script");
  });

  it("accepts 128 characters and counts every request", async () => {
    const before = middleware.stats().requests;
    const events = await eventsFromHere();
    await post({ "x-user-id": "u".repeat(128) });
    expect((await events())[0]?.userId).toBe("u".repeat(128));
    expect(middleware.stats().requests).toBe(before + 1);
  });
});

describe("resolve(), custom header maps and fixed attribution", () => {
  it("lets resolve(req) (after authentication) win over headers; sync and async; failures counted, never thrown", async () => {
    type AuthedRequest = express.Request & { user?: { id: string; org: string } };
    const sync = tokenLedger<AuthedRequest>({
      resolve: (req) => (req.user ? { userId: req.user.id, teamId: req.user.org } : undefined),
    });
    const async = tokenLedger<AuthedRequest>({
      resolve: async (req) => ({ userId: `async-${req.user?.id}` }),
    });
    const throwing = tokenLedger({
      resolve: () => {
        throw new Error("session store down");
      },
      logger: false,
    });
    const malformed = tokenLedger({ resolve: () => ({ userId: 42 }) as any, logger: false });
    const app = express();
    app.use((req, _res, next) => {
      (req as AuthedRequest).user = { id: "authed-user", org: "org-1" };
      next();
    });
    const handler: express.RequestHandler = (_req, res) => {
      trackCost({ provider: "groq", model: "m", usage: { inputTokens: 1, outputTokens: 1 } });
      res.json(getContext());
    };
    app.get("/sync", sync, handler);
    app.get("/async", async, handler);
    app.get("/throwing", throwing, handler);
    app.get("/malformed", malformed, handler);
    const server = await listen(app);
    try {
      const get = async (path: string) => {
        const res = await fetch(`${server.url}${path}`, {
          headers: { "x-user-id": "header-user", "x-feature": "f" },
        });
        expect(res.status).toBe(200);
        return res.json();
      };
      expect(await get("/sync")).toMatchObject({
        userId: "authed-user",
        teamId: "org-1",
        feature: "f",
        metadata: { route: "/sync" },
      });
      expect(await get("/async")).toMatchObject({ userId: "async-authed-user", feature: "f" });
      expect(await get("/throwing")).toMatchObject({ userId: "header-user", feature: "f" });
      expect(await get("/malformed")).toMatchObject({ userId: "header-user" });
      expect(throwing.stats().resolveErrors).toBe(1);
      expect(malformed.stats().resolveErrors).toBe(1);
      expect(sync.stats()).toMatchObject({ requests: 1, resolveErrors: 0 }); // each middleware keeps its own counters
    } finally {
      await server.close();
    }
  });

  it("records the route pattern matched after an app-wide middleware, with async resolve and fixed metadata", async () => {
    const app = express();
    app.use(
      tokenLedger({
        resolve: async () => ({ userId: "resolved" }),
        attribution: { metadata: { service: "api" } },
      }),
    );
    app.get("/things/:thingId", (_req, res) => {
      trackCost({ provider: "groq", model: "m", usage: { inputTokens: 1, outputTokens: 1 } });
      res.json({ ok: true });
    });
    const server = await listen(app);
    const events = await eventsFromHere();
    try {
      await fetch(`${server.url}/things/abc?raw=1`);
    } finally {
      await server.close();
    }
    const [event] = await events();
    expect(event).toMatchObject({
      userId: "resolved",
      metadata: { service: "api", method: "GET", route: "/things/:thingId" },
    });
    expect(JSON.stringify(event?.metadata)).not.toContain("abc");
  });

  it("reads a custom header map, and no header at all with headers: false; fixed attribution sits under them", async () => {
    const custom = tokenLedger({
      headers: { userId: "x-account", teamId: false, traceId: "x-request-id" },
      attribution: { app: "gateway", teamId: "fixed" },
    });
    const none = tokenLedger({ headers: false, routeMetadata: false });
    const app = express();
    app.get("/custom", custom, (_req, res) => res.json(getContext()));
    app.get("/none", none, (_req, res) => res.json(getContext()));
    const server = await listen(app);
    try {
      const headers = {
        "x-account": "acct-9",
        "x-team-id": "ignored",
        "x-request-id": "trace-1",
        "x-user-id": "ignored",
      };
      const custom = await (await fetch(`${server.url}/custom`, { headers })).json();
      expect(custom).toEqual({
        app: "gateway",
        teamId: "fixed",
        userId: "acct-9",
        traceId: "trace-1",
        metadata: { method: "GET", route: "/custom" },
      });
      expect(await (await fetch(`${server.url}/none`, { headers })).json()).toEqual({});
    } finally {
      await server.close();
    }
  });
});

describe("interleaved requests from different users", () => {
  // The patched SDK is the main path (1000 requests); trackCost in handlers (providers without an interceptor)
  // runs first, before anything is patched, on fewer requests to keep the file fast.
  for (const [mode, requests] of [
    ["manual", 300],
    ["sdk", 1000],
  ] as const) {
    it(`attributes every event to its own request: ${requests} requests, ${mode === "sdk" ? "patched openai SDK" : "trackCost in the handler"}`, async () => {
      const client = new OpenAI({ apiKey: "test", baseURL: fake.baseURL, maxRetries: 0 });
      if (mode === "sdk") {
        expect(instrument(client)).toBe(true);
        await instrumentationReady();
      }
      const app = express();
      app.use(tokenLedger());
      app.use(express.json());
      app.post("/v1/assist/:topic", async (req, res) => {
        const model = await chatTwice(client, getContext().userId ?? "none", mode);
        res.json({ model });
      });
      const server = await listen(app);
      const events = await eventsFromHere();
      const started = performance.now();
      try {
        await runPool(requests, 64, async (i) => {
          const res = await fetch(`${server.url}/v1/assist/topic-${i % 5}`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "x-user-id": `u${i}`,
              "x-team-id": `t${i % 10}`,
              "x-feature": `f${i % 3}`,
            },
            body: JSON.stringify({ i }),
          });
          expect(await res.json()).toEqual({ model: `fake-u${i}` });
        });
      } finally {
        await server.close();
      }
      const stored = await events();
      console.log(
        `express ${mode}: ${requests} requests, ${stored.length} events in ${Math.round(performance.now() - started)} ms`,
      );
      expect(stored).toHaveLength(2 * requests);
      const problems = misattributed(stored, (userId) => {
        const i = Number(userId.slice(1));
        return {
          teamId: `t${i % 10}`,
          feature: `f${i % 3}`,
          metadata: { method: "POST", route: "/v1/assist/:topic" },
        };
      });
      expect(problems).toEqual([]);
      expect(new Set(stored.map((e) => e.userId)).size).toBe(requests);
      expect(stored.filter((e) => e.streamed)).toHaveLength(requests);
    }, 120_000); // 1000 streamed requests: ~10 s alone, 30 s+ beside a loaded suite
  }
});
