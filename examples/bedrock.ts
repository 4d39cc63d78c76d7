/**
 * Track Amazon Bedrock calls made with @aws-sdk/client-bedrock-runtime.
 *
 *   AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... npx tsx examples/bedrock.ts
 *
 * Credentials come from the standard AWS chain (environment, ~/.aws, SSO, instance role); a Bedrock API key
 * works too (AWS_BEARER_TOKEN_BEDROCK). Usage is written to the default SQLite ledger.
 */
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { instrumentationReady, track, withContext } from "tokenledger";

const tracker = track({
  app: "bedrock-example",
  // Application inference profiles are opaque ARNs: tell tokenledger which model they price as.
  interceptors: { bedrockModelMap: parseModelMap(process.env.BEDROCK_MODEL_MAP) },
});
await instrumentationReady(); // ESM: the SDK's ESM copy is patched asynchronously

const modelId = process.env.BEDROCK_MODEL_ID ?? "us.anthropic.claude-3-5-haiku-20241022-v1:0";
const client = new BedrockRuntimeClient({ region: process.env.AWS_REGION ?? "us-east-1" });

await withContext({ userId: "user-42", feature: "bedrock-demo" }, async () => {
  // Converse: usage comes from the response's TokenUsage.
  const answer = await client.send(
    new ConverseCommand({
      modelId,
      messages: [{ role: "user", content: [{ text: "Say hi in five words." }] }],
    }),
  );
  console.log("converse:", answer.output?.message?.content?.[0]?.text);

  // ConverseStream: the stream is passed through untouched; usage is read from the final metadata event.
  const streamed = await client.send(
    new ConverseStreamCommand({
      modelId,
      messages: [{ role: "user", content: [{ text: "Count to five." }] }],
    }),
  );
  for await (const event of streamed.stream ?? []) {
    if (event.contentBlockDelta?.delta?.text) process.stdout.write(event.contentBlockDelta.delta.text);
  }
  process.stdout.write("\n");

  // InvokeModel with the model's native body: usage from the body, else Bedrock's token-count headers.
  const native = await client.send(
    new InvokeModelCommand({
      modelId,
      contentType: "application/json",
      body: JSON.stringify({
        anthropic_version: "bedrock-2023-05-31",
        max_tokens: 50,
        messages: [{ role: "user", content: "Hello" }],
      }),
    }),
  );
  console.log("invoke:", JSON.parse(native.body.transformToString()).content?.[0]?.text);
});

await tracker.shutdown();
console.log("recorded:", tracker.stats().persisted, "events");

function parseModelMap(json: string | undefined): Record<string, string> | undefined {
  if (!json) return undefined;
  try {
    return JSON.parse(json) as Record<string, string>;
  } catch {
    throw new Error(`BEDROCK_MODEL_MAP must be a JSON object of ARN → model id, got: ${json}`);
  }
}
