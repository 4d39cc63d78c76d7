/**
 * Track Gemini calls made with both Google SDKs.
 *
 *   GEMINI_API_KEY=... npx tsx examples/gemini.ts        (GOOGLE_API_KEY works too)
 *
 * Events go to the default SQLite file; `npx tokenledger report` shows the rollup.
 */
import { GoogleGenAI } from "@google/genai";
import { GoogleGenerativeAI } from "@google/generative-ai";
import { instrumentationReady, track, withContext } from "tokenledger";

const apiKey = process.env.GEMINI_API_KEY ?? process.env.GOOGLE_API_KEY;
if (!apiKey) {
  console.error("Set GEMINI_API_KEY (or GOOGLE_API_KEY) to run this example.");
  process.exit(1);
}

const tracker = track();
await instrumentationReady(); // ESM copies of the SDKs are patched asynchronously

await withContext({ userId: "demo-user", feature: "gemini-example" }, async () => {
  // Current SDK: clients constructed after track() are patched automatically.
  const ai = new GoogleGenAI({ apiKey });
  const answer = await ai.models.generateContent({
    model: "gemini-2.5-flash",
    contents: "Say hello in five words.",
  });
  console.log("genai:", answer.text);

  for await (const chunk of await ai.models.generateContentStream({
    model: "gemini-2.5-flash",
    contents: "Count to five.",
  })) {
    process.stdout.write(chunk.text ?? "");
  }
  process.stdout.write("\n");

  // Legacy SDK: both `stream` and `response` keep working; the call is recorded once.
  const legacy = new GoogleGenerativeAI(apiKey).getGenerativeModel({ model: "gemini-2.5-flash" });
  const { stream, response } = await legacy.generateContentStream("Name three colours.");
  for await (const chunk of stream) process.stdout.write(chunk.text());
  process.stdout.write("\n");
  console.log("legacy usage:", (await response).usageMetadata);
});

await tracker.flush();
console.log(tracker.stats());
await tracker.shutdown();
