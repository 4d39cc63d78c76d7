import { CountTokensCommand, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harness, MESSAGES, newClient, type Harness } from "./setup.js";

// CountTokens is not billed: it must never appear in the ledger as a call (the Converse next to it does).
let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe("Bedrock CountTokens", () => {
  it("is not recorded; a Converse call on the same client is", async () => {
    const client = newClient(h.server);
    const modelId = "anthropic.claude-3-5-sonnet-20241022-v2:0";
    await client
      .send(new CountTokensCommand({ modelId, input: { converse: { messages: MESSAGES } } }))
      .catch(() => undefined); // whatever the server says, no billed call happened
    await client.send(new ConverseCommand({ modelId, messages: MESSAGES }));
    await new Promise((r) => setTimeout(r, 30));
    const events = await h.flushed();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ operation: "converse" });
  });
});
