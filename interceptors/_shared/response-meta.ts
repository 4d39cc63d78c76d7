/**
 * The provider's id of an answer and why generation stopped, one extractor per wire shape. Kept apart from the
 * usage readers so each interceptor adds one spread where it already reads the model and usage. Never throws:
 * odd shapes give nothing.
 */
export interface ResponseMeta {
  readonly responseId?: string;
  readonly finishReasons?: readonly string[];
}

const rec = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function meta(id: unknown, reasons: readonly unknown[]): ResponseMeta {
  const responseId = str(id);
  const finishReasons = reasons.map(str).filter((r): r is string => r !== undefined);
  return {
    ...(responseId ? { responseId } : {}),
    ...(finishReasons.length > 0 ? { finishReasons } : {}),
  };
}

const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

/** Chat Completions (and legacy Completions): `id`, `choices[].finish_reason`. Works on a body or a chunk. */
export function openaiChatMeta(body: unknown): ResponseMeta {
  const b = rec(body);
  return meta(
    b.id,
    list(b.choices).map((c) => rec(c).finish_reason),
  );
}

/**
 * Responses API: `id` and `status`; it has no finish reason, so a stopped answer reports
 * `incomplete_details.reason` (`max_output_tokens`, `content_filter`) and a finished one its status.
 */
export function openaiResponsesMeta(response: unknown): ResponseMeta {
  const r = rec(response);
  const reason = str(rec(r.incomplete_details).reason) ?? str(r.status);
  return meta(r.id, reason && reason !== "in_progress" ? [reason] : []);
}

/** Anthropic Message: `id` (`msg_…`) and `stop_reason`. */
export function anthropicMeta(message: unknown): ResponseMeta {
  const m = rec(message);
  return meta(m.id, [m.stop_reason]);
}

/** Gemini GenerateContentResponse (both SDKs): `responseId` and `candidates[].finishReason`. */
export function geminiMeta(response: unknown): ResponseMeta {
  const r = rec(response);
  return meta(
    r.responseId,
    list(r.candidates).map((c) => rec(c).finishReason),
  );
}

/** Bedrock Converse output: no answer id (the request id is kept apart), `stopReason`. */
export function bedrockConverseMeta(output: unknown): ResponseMeta {
  return meta(undefined, [rec(output).stopReason]);
}
