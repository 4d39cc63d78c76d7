import { GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI } from "@google/generative-ai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Instrumentation } from "../../../interceptors/registry.js";
import { startGeminiServer, type GeminiServer } from "../../helpers/gemini-server.js";
import { FINAL_COST, harness } from "./setup.js";

let server: GeminiServer;
const h = harness();
const instrumentation = new Instrumentation(h.env);

beforeAll(async () => {
  server = await startGeminiServer();
});
afterAll(async () => {
  instrumentation.disable();
  await server.close();
});

it("the registry patches both Google SDKs (CommonJS and ESM copies) and each call records once", async () => {
  const report = await instrumentation.enable();
  const google = report.patched
    .filter((p) => p.packageName.startsWith("@google/"))
    .map((p) => `${p.packageName}:${p.format}`);
  expect(google.sort()).toEqual([
    "@google/genai:cjs",
    "@google/genai:esm",
    "@google/generative-ai:cjs",
    "@google/generative-ai:esm",
  ]);

  const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: server.url } });
  await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "hi" });
  const legacy = new GoogleGenerativeAI("k").getGenerativeModel(
    { model: "gemini-2.5-flash" },
    { baseUrl: server.url },
  );
  await legacy.generateContent("hi");
  await h.waitFor(2);
  await new Promise((r) => setTimeout(r, 30));
  const events = await h.events();
  expect(events.map((e) => [e.provider, e.costUsd])).toEqual([
    ["gemini", FINAL_COST],
    ["gemini", FINAL_COST],
  ]);
  expect(h.warnings.filter((w) => w.includes("@google"))).toEqual([]);
});
