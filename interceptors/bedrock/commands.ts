/**
 * Which Bedrock Runtime operations we record. Matched on the middleware context's `commandName`, a string
 * literal the SDK's command builder sets (`makeBuilder(..., "BedrockRuntimeClient", ...)` + `op + "Command"`),
 * so bundler-minified class names do not matter.
 */
export type BedrockKind = "converse" | "converse-stream" | "invoke" | "invoke-stream" | "bidi-stream";

export interface BedrockCommandInfo {
  readonly kind: BedrockKind;
  /** The `operation` stored on the event. */
  readonly operation: "converse" | "invoke";
  readonly streamed: boolean;
}

const BY_OPERATION: Readonly<Record<string, BedrockCommandInfo>> = {
  Converse: { kind: "converse", operation: "converse", streamed: false },
  ConverseStream: { kind: "converse-stream", operation: "converse", streamed: true },
  InvokeModel: { kind: "invoke", operation: "invoke", streamed: false },
  InvokeModelWithResponseStream: { kind: "invoke-stream", operation: "invoke", streamed: true },
  // Nova Sonic speech-to-speech sessions: one event per session (bidi-stream.ts).
  InvokeModelWithBidirectionalStream: { kind: "bidi-stream", operation: "invoke", streamed: true },
};

export const BEDROCK_CLIENT_NAME = "BedrockRuntimeClient";
const SMITHY_CONTEXT_KEY = "__smithy_context";

export interface MiddlewareContextLike {
  readonly clientName?: unknown;
  readonly commandName?: unknown;
  readonly [SMITHY_CONTEXT_KEY]?: { readonly operation?: unknown; readonly abortSignal?: unknown };
}

/** The recorded operation for this middleware context, or undefined for every other command. */
export function commandInfo(context: MiddlewareContextLike): BedrockCommandInfo | undefined {
  if (context.clientName !== undefined && context.clientName !== BEDROCK_CLIENT_NAME) return undefined;
  const name =
    typeof context.commandName === "string" ? context.commandName.replace(/Command$/, "") : undefined;
  // Older builders without `commandName`: the smithy context names the operation.
  const op = name ?? context[SMITHY_CONTEXT_KEY]?.operation;
  return typeof op === "string" && Object.hasOwn(BY_OPERATION, op) ? BY_OPERATION[op] : undefined;
}

/** The caller's AbortSignal, which the SDK puts in the smithy context when `send(cmd, { abortSignal })` is used. */
export function abortSignalOf(context: MiddlewareContextLike): AbortSignal | undefined {
  const signal = context[SMITHY_CONTEXT_KEY]?.abortSignal as { aborted?: unknown } | undefined;
  return signal && typeof signal.aborted === "boolean" ? (signal as AbortSignal) : undefined;
}

export interface ModelIds {
  /** Model id for pricing: the user's mapping of an opaque ARN, else the request's `modelId`. */
  readonly model: string | null;
  /** `modelId` exactly as sent: base id, `us.`/`eu.`/`global.` inference profile, or ARN. */
  readonly requestedModel: string | null;
}

export function modelIds(input: unknown, map: Readonly<Record<string, string>> | undefined): ModelIds {
  const modelId = (input as { modelId?: unknown } | null | undefined)?.modelId;
  if (typeof modelId !== "string" || modelId === "") return { model: null, requestedModel: null };
  const mapped = map && Object.hasOwn(map, modelId) ? map[modelId] : undefined;
  return { model: typeof mapped === "string" && mapped !== "" ? mapped : modelId, requestedModel: modelId };
}
