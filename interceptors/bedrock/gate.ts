import type { LlmCall } from "../_shared/call.js";
import { admitCall, firstCount, withField } from "../_shared/gate.js";
import { preCallGate } from "../_shared/pre-call.js";
import type { BedrockCommandInfo, ModelIds } from "./commands.js";

interface ConverseInput {
  readonly messages?: unknown;
  readonly system?: unknown;
  readonly toolConfig?: unknown;
  readonly inferenceConfig?: { readonly maxTokens?: unknown };
}

/** InvokeModel bodies: the output cap under each model family's own field name. */
function invokeCap(body: Record<string, unknown>): number | undefined {
  const text = body.textGenerationConfig as { maxTokenCount?: unknown } | undefined;
  const nova = body.inferenceConfig as { max_new_tokens?: unknown; maxTokens?: unknown } | undefined;
  return firstCount(
    body.max_tokens,
    body.max_gen_len,
    body.max_new_tokens,
    text?.maxTokenCount,
    nova?.max_new_tokens,
    nova?.maxTokens,
  );
}

function parseJson(body: unknown): unknown {
  try {
    if (typeof body === "string") return JSON.parse(body) as unknown;
    if (body instanceof Uint8Array) return JSON.parse(new TextDecoder().decode(body)) as unknown;
  } catch {
    /* an unparsed body is counted by its size */
  }
  return undefined;
}

/** The command input in the estimator's field names (`src/budgets/estimate.ts`). */
export function estimatorView(info: BedrockCommandInfo, input: unknown): unknown {
  if (info.operation === "converse") {
    const c = (input ?? {}) as ConverseInput;
    return {
      messages: c.messages,
      system: c.system,
      tools: c.toolConfig,
      max_tokens: firstCount(c.inferenceConfig?.maxTokens),
    };
  }
  const raw = (input as { body?: unknown } | null)?.body;
  const json = parseJson(raw);
  if (json !== null && typeof json === "object")
    return { input: json, max_tokens: invokeCap(json as Record<string, unknown>) };
  return { input: raw instanceof Uint8Array ? "x".repeat(raw.byteLength) : raw };
}

/**
 * Converse / ConverseStream / InvokeModel / InvokeModelWithResponseStream behind the pre-call gate, at the
 * middleware's `initialize` step (before serialisation, signing and any request). Resolves to the arguments to
 * send: the caller's, or a copy whose input has the downgraded `modelId` (the downgrade map's target is sent as
 * the model id, so map within one body format: InvokeModel bodies differ per model family). Rejects with the
 * gate's `BudgetExceededError`, which `client.send()` rejects with.
 */
export async function gatedArgs<A extends { readonly input?: unknown }>(
  args: A,
  call: LlmCall,
  info: BedrockCommandInfo,
  ids: ModelIds,
): Promise<{ args: A; ids: ModelIds }> {
  const gate = preCallGate();
  if (!gate) return { args, ids };
  const a = await admitCall(gate, call, {
    provider: "bedrock",
    operation: info.operation,
    model: ids.model,
    body: estimatorView(info, args.input),
  });
  if (!a.model) return { args, ids };
  return {
    args: withField(args, "input", withField(args.input, "modelId", a.model)),
    ids: { ...ids, model: a.model },
  };
}
