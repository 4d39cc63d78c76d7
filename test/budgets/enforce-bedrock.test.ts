import {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BudgetExceededError, BudgetFieldError, parseBudget, periodWindow } from "tokenledger";
import { anthropicStreamFrames, converseReply, converseStreamFrames } from "../helpers/bedrock-server.js";
import {
  deepFreeze,
  drain,
  harness,
  MESSAGES,
  newClient,
  testPricer,
  type Harness,
} from "../interceptors/bedrock/setup.js";
import { gateLedger, removeGateLedgers, TINY, type GateLedger } from "./gate-ledger.js";

const SONNET = "anthropic.claude-3-5-sonnet-20241022-v2:0";
const PROFILE = "us.anthropic.claude-3-5-sonnet-20241022-v2:0";
let h: Harness;
let ledger: GateLedger;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.close();
  removeGateLedgers();
});
beforeEach(async () => {
  ledger = await gateLedger(testPricer);
  h.storage.stored.length = 0;
  h.server.requests.length = 0;
  h.server.handle((req) =>
    req.operation === "converse"
      ? converseReply()
      : req.operation === "converse-stream"
        ? { type: "stream", frames: converseStreamFrames() }
        : req.operation === "invoke"
          ? {
              type: "json",
              body: {
                content: [{ type: "text", text: "Hi" }],
                usage: { input_tokens: 10, output_tokens: 20 },
              },
            }
          : { type: "stream", frames: anthropicStreamFrames() },
  );
});
afterEach(() => ledger.close());

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );
const claudeBody = JSON.stringify({
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 100,
  messages: [{ role: "user", content: "Hi" }],
});

describe("Bedrock Runtime behind a block budget", () => {
  it("Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream reject before any request", async () => {
    await ledger.put({ id: "org", scope: "org", period: "day", amountUsd: TINY });
    const client = newClient(h.server);
    const commands = [
      new ConverseCommand({ modelId: SONNET, messages: MESSAGES, inferenceConfig: { maxTokens: 100 } }),
      new ConverseStreamCommand({ modelId: SONNET, messages: MESSAGES }),
      new InvokeModelCommand({ modelId: SONNET, body: claudeBody, contentType: "application/json" }),
      new InvokeModelWithResponseStreamCommand({ modelId: SONNET, body: claudeBody }),
    ];
    for (const c of commands)
      expect(await refusal(client.send(c as ConverseCommand))).toBeInstanceOf(BudgetExceededError);
    expect(h.server.requests).toHaveLength(0);
    const events = await h.flushed();
    expect(events.map((e) => [e.operation, e.streamed, e.errorType])).toEqual([
      ["converse", false, "BudgetExceededError"],
      ["converse", true, "BudgetExceededError"],
      ["invoke", false, "BudgetExceededError"],
      ["invoke", true, "BudgetExceededError"],
    ]);
  });

  it("a call that fits is sent and settles to its actual cost", async () => {
    await ledger.put({ id: "org", scope: "org", period: "day", amountUsd: "1" });
    await newClient(h.server).send(
      new InvokeModelCommand({ modelId: SONNET, body: claudeBody, contentType: "application/json" }),
    );
    expect(h.server.requests).toHaveLength(1);
    await h.flushed();
    await ledger.guard.idle();
    const c = await ledger.storage.budgets.counter("org", periodWindow(Date.now(), "day", "UTC").key);
    // 10 input × $3 + 20 output × $15 per 1M.
    expect(c).toMatchObject({ spentUsd: "0.00033", reservedUsd: "0" });
  });
});

describe("Bedrock Runtime behind a downgrade budget", () => {
  it("sends the mapped modelId in a copy of the command input; the caller's frozen input is untouched", async () => {
    await ledger.put({
      id: "down",
      scope: "org",
      period: "day",
      amountUsd: TINY,
      action: "downgrade",
      downgradeMap: { [SONNET]: PROFILE },
    });
    const client = newClient(h.server);
    const input = deepFreeze({ modelId: SONNET, messages: MESSAGES, inferenceConfig: { maxTokens: 100 } });
    await client.send(new ConverseCommand(input));
    await drain((await client.send(new ConverseStreamCommand(input))).stream);
    expect(h.server.requests.map((r) => r.modelId)).toEqual([PROFILE, PROFILE]);
    expect(input.modelId).toBe(SONNET);
    const events = await h.flushed();
    expect(events.map((e) => [e.requestedModel, e.model])).toEqual([
      [SONNET, PROFILE],
      [SONNET, PROFILE],
    ]);
    expect(events[0]!.metadata).toMatchObject({
      budget_downgrade: { requested_model: SONNET, effective_model: PROFILE, reason: "budget" },
    });
  });
});

describe("Bedrock downgrade maps across model families", () => {
  it("are refused when the budget is defined, naming the map entry (each family reads its own request body)", () => {
    const define = (to: string) =>
      parseBudget({
        scope: "org",
        period: "day",
        amountUsd: "1",
        action: "downgrade",
        downgradeMap: { [SONNET]: to },
      });
    const err = (() => {
      try {
        define("meta.llama3-70b-instruct-v1:0");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BudgetFieldError);
    expect((err as BudgetFieldError).field).toBe(`downgradeMap.${SONNET}`);
    expect(String(err)).toMatch(/different model family \(meta, not anthropic\)/);
    expect(() => define("amazon.nova-lite-v1:0")).toThrow(/downgradeMap\.anthropic/);
    expect(() => define("gpt-4o-mini")).toThrow(/downgradeMap\.anthropic/);
    // Same family through an inference profile or ARN is fine.
    expect(define(PROFILE).downgradeMap[SONNET]).toBe(PROFILE);
    expect(define(`arn:aws:bedrock:us-east-1:1:inference-profile/${PROFILE}`).action).toBe("downgrade");
  });
});
