import Fastify, { type FastifyInstance } from "fastify";
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
} from "tokenledger";
import { tokenLedger } from "tokenledger/fastify";
import { trackCost } from "../../src/manual.js";
import { CaptureStorage } from "../helpers/capture.js";
import { startFakeOpenAI, type FakeOpenAI } from "./helpers/fake-openai.js";
import { chatTwice, misattributed, runPool } from "./helpers/llm-work.js";

declare module "fastify" {
  interface FastifyRequest {
    user?: { id: string; org: string };
  }
}

let fake: FakeOpenAI;
const storage = new CaptureStorage();
const tracker = track({
  storage,
  instrument: false,
  logger: false,
  autoFlushOnExit: false,
  maxQueueSize: 10_000,
});

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

describe("plugin options are checked when the app starts", () => {
  const cases: [string, unknown, RegExp][] = [
    [
      "a typo in an option name",
      { resolver: () => undefined },
      /tokenledger\/fastify: unknown option "resolver"/,
    ],
    [
      "a header map naming no attribution field",
      { headers: { account: "x-account" } },
      /"headers.account" is not an attribution field/,
    ],
    ["a non-function resolve", { resolve: "req.user" }, /"resolve" must be a function/],
    [
      "a bad logger",
      { logger: console.log },
      /"logger" must be false or an object with warn\(\) and error\(\)/,
    ],
  ];
  it.each(cases)("%s", async (_name, options, message) => {
    const app = Fastify();
    app.register(tokenLedger, options as any);
    const error = await app.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TokenLedgerConfigError);
    expect(String((error as Error).message)).toMatch(message);
    await app.close();
  });

  it("accepts Fastify's own register options (prefix) alongside its own", async () => {
    const app = Fastify();
    await app.register(tokenLedger, { prefix: "/api", routeMetadata: false });
    await app.ready();
    await app.close();
  });
});

describe("hooks reach every route of the registering instance", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    app.register(async (before) => {
      before.get("/sibling-before/:id", async () => getContext());
    });
    await app.register(tokenLedger, {
      logger: false,
      resolve: (req) => (req.user ? { userId: req.user.id, teamId: req.user.org } : undefined),
    });
    // Authentication registered after the plugin, as an app-level onRequest hook: resolve() still sees req.user.
    app.addHook("onRequest", async (req) => {
      const token = req.headers.authorization;
      if (token?.startsWith("Bearer ")) req.user = { id: token.slice(7), org: "org-from-token" };
    });
    app.get("/root", async () => getContext());
    app.post("/body", async (req) => ({ context: getContext(), echoed: req.body }));
    app.register(
      async (child) => {
        child.get("/items/:itemId", async () => {
          await new Promise((r) => setTimeout(r, 2));
          trackCost({
            provider: "mistral",
            model: "mistral-small-latest",
            usage: { inputTokens: 5, outputTokens: 1 },
          });
          return getContext();
        });
        child.register(async (grandchild) => {
          // Route-level authentication runs after app-level hooks, before our resolve() (preHandler).
          grandchild.get(
            "/deep",
            { onRequest: async (req) => void (req.user = { id: "route-level-user", org: "o2" }) },
            async () => getContext(),
          );
        });
      },
      { prefix: "/v2" },
    );
    await app.ready();
  });
  afterAll(() => app.close());

  it("covers routes in sibling and child plugins, with the route pattern (not the raw URL)", async () => {
    const headers = { "x-user-id": "u1", "x-feature": "lookup" };
    const events = await eventsFromHere();
    const child = await app.inject({ method: "GET", url: "/v2/items/123?expand=1", headers });
    expect(child.json()).toEqual({
      userId: "u1",
      feature: "lookup",
      metadata: { method: "GET", route: "/v2/items/:itemId" },
    });
    const [event] = await events();
    expect(event).toMatchObject({
      userId: "u1",
      feature: "lookup",
      metadata: { method: "GET", route: "/v2/items/:itemId" },
    });
    expect((await app.inject({ url: "/root", headers })).json()).toMatchObject({
      userId: "u1",
      metadata: { route: "/root" },
    });
    expect((await app.inject({ url: "/sibling-before/9", headers })).json()).toMatchObject({
      userId: "u1",
      metadata: { route: "/sibling-before/:id" },
    });
  });

  it("resolves from req.user set by app-level and route-level authentication, winning over headers", async () => {
    const fromAppHook = await app.inject({
      url: "/root",
      headers: { authorization: "Bearer alice", "x-user-id": "spoofed", "x-team-id": "t" },
    });
    expect(fromAppHook.json()).toMatchObject({ userId: "alice", teamId: "org-from-token" });
    const fromRouteHook = await app.inject({ url: "/v2/deep", headers: { "x-user-id": "spoofed" } });
    expect(fromRouteHook.json()).toMatchObject({
      userId: "route-level-user",
      teamId: "o2",
      metadata: { route: "/v2/deep" },
    });
  });

  it("keeps the scope through body parsing on a real socket", async () => {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as { port: number };
    const payload = { text: "x".repeat(200_000) };
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const res = await fetch(`http://127.0.0.1:${port}/body`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-user-id": `body-${i}` },
          body: JSON.stringify(payload),
        });
        const json = (await res.json()) as { context: { userId?: string }; echoed: { text: string } };
        return json.context.userId === `body-${i}` && json.echoed.text.length === 200_000;
      }),
    );
    expect(results.every(Boolean)).toBe(true);
  });

  it("drops invalid header values, counts them in app.tokenLedger.stats() and answers normally", async () => {
    const before = app.tokenLedger.stats();
    const res = await app.inject({
      url: "/root",
      headers: { "x-user-id": "x".repeat(200), "x-team-id": "bad\u0007bell", "x-feature": "ok" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ feature: "ok", metadata: { method: "GET", route: "/root" } });
    const after = app.tokenLedger.stats();
    expect(after.invalidHeaders - before.invalidHeaders).toBe(2);
    expect(after.requests - before.requests).toBe(1);
  });

  it("never fails a request when resolve() throws or rejects", async () => {
    const app2 = Fastify();
    await app2.register(tokenLedger, {
      logger: false,
      resolve: async (req) => {
        if (req.headers["x-mode"] === "reject") throw new Error("auth backend down");
        return { userId: 7 } as any;
      },
    });
    app2.get("/", async () => getContext());
    const rejected = await app2.inject({ url: "/", headers: { "x-mode": "reject", "x-user-id": "h" } });
    const malformed = await app2.inject({ url: "/", headers: { "x-user-id": "h" } });
    expect([rejected.statusCode, malformed.statusCode]).toEqual([200, 200]);
    expect(rejected.json()).toMatchObject({ userId: "h" });
    expect(malformed.json()).toMatchObject({ userId: "h" });
    expect(app2.tokenLedger.stats().resolveErrors).toBe(2);
    await app2.close();
  });
});

describe("interleaved requests from different users", () => {
  const runs = [
    { mode: "manual", transport: "inject", requests: 300 },
    { mode: "sdk", transport: "inject", requests: 1000 },
    { mode: "sdk", transport: "listen", requests: 500 },
  ] as const;
  for (const { mode, transport, requests } of runs) {
    it(`attributes every event to its own request: ${requests} requests via ${transport}, ${mode === "sdk" ? "patched openai SDK" : "trackCost in the handler"}`, async () => {
      const client = new OpenAI({ apiKey: "test", baseURL: fake.baseURL, maxRetries: 0 });
      if (mode === "sdk") {
        expect(instrument(client)).toBe(true);
        await instrumentationReady();
      }
      const app = Fastify();
      await app.register(tokenLedger);
      app.register(
        async (api) => {
          api.post("/assist/:topic", async () => ({
            model: await chatTwice(client, getContext().userId ?? "none", mode),
          }));
        },
        { prefix: "/v1" },
      );
      let url = "";
      if (transport === "listen") url = await app.listen({ port: 0, host: "127.0.0.1" });
      else await app.ready();
      const events = await eventsFromHere();
      const started = performance.now();
      try {
        await runPool(requests, 64, async (i) => {
          const headers = {
            "content-type": "application/json",
            "x-user-id": `u${i}`,
            "x-team-id": `t${i % 10}`,
            "x-feature": `f${i % 3}`,
          };
          const path = `/v1/assist/topic-${i % 5}`;
          const body = JSON.stringify({ i });
          const json =
            transport === "inject"
              ? (await app.inject({ method: "POST", url: path, headers, payload: body })).json()
              : await (await fetch(`${url}${path}`, { method: "POST", headers, body })).json();
          expect(json).toEqual({ model: `fake-u${i}` });
        });
      } finally {
        await app.close();
      }
      const stored = await events();
      console.log(
        `fastify ${mode} ${transport}: ${requests} requests, ${stored.length} events in ${Math.round(performance.now() - started)} ms`,
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
    });
  }
});
