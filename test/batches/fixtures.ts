/**
 * Batch result lines in each provider's documented format (OpenAI Batch API guide "batch output", Anthropic
 * Message Batches "retrieving results", Bedrock "batch inference output"), with usage we hand-price below.
 */
export const OPENAI_CHAT_LINE = {
  id: "batch_req_6710a1b8c1f48190b37cd0a3e7e5f6f1",
  custom_id: "request-1",
  response: {
    status_code: 200,
    request_id: "4f1c6c1b0c8a4f0f9c1c0e4b2f7a6b1d",
    body: {
      id: "chatcmpl-AJ3qL8mF1",
      object: "chat.completion",
      created: 1793880000, // 2026-11-05T12:00:00Z
      model: "gpt-4o-2024-08-06",
      choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }],
      usage: {
        prompt_tokens: 1000,
        completion_tokens: 300,
        total_tokens: 1300,
        prompt_tokens_details: { cached_tokens: 200, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
      },
      service_tier: "default",
      system_fingerprint: "fp_6b68a8204b",
    },
  },
  error: null,
};
/** 800 × 2.50 + 200 × 1.25 + 300 × 10 = 5,250 per 1M = $0.00525; batch × 0.5. */
export const OPENAI_CHAT_BATCH_COST = "0.002625";

export const OPENAI_EMBEDDING_LINE = {
  id: "batch_req_6710a1b8c1f48190b37cd0a3e7e5f6f2",
  custom_id: "embed-1",
  response: {
    status_code: 200,
    request_id: "5a2d7d2c1d9b",
    body: {
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: [0.01, -0.02] }],
      model: "text-embedding-3-small",
      usage: { prompt_tokens: 5000, total_tokens: 5000 },
    },
  },
  error: null,
};
/** 5,000 × 0.02 per 1M = $0.0001; batch × 0.5. */
export const OPENAI_EMBEDDING_BATCH_COST = "0.00005";

export const OPENAI_FAILED_LINE = {
  id: "batch_req_6710a1b8c1f48190b37cd0a3e7e5f6f3",
  custom_id: "request-2",
  response: {
    status_code: 400,
    request_id: "9c0e",
    body: { error: { message: "Invalid 'messages[0].role'", type: "invalid_request_error", code: null } },
  },
  error: null,
};

export const ANTHROPIC_SUCCEEDED_LINE = {
  custom_id: "my-first-request",
  result: {
    type: "succeeded",
    message: {
      id: "msg_014VwiXbi91y3JMjcpyGBHX5",
      type: "message",
      role: "assistant",
      model: "claude-3-5-haiku-20241022",
      content: [{ type: "text", text: "Hello again!" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: 1000,
        cache_read_input_tokens: 2000,
        cache_creation_input_tokens: 400,
        output_tokens: 500,
        service_tier: "batch",
      },
    },
  },
};
/** 1,000 × 0.80 + 2,000 × 0.08 + 400 × 1.00 + 500 × 4.00 = 3,360 per 1M = $0.00336; batch × 0.5 (once). */
export const ANTHROPIC_BATCH_COST = "0.00168";

export const ANTHROPIC_ERRORED_LINE = {
  custom_id: "my-second-request",
  result: {
    type: "errored",
    error: { type: "error", error: { type: "invalid_request_error", message: "max_tokens: Field required" } },
  },
};

export const ANTHROPIC_EXPIRED_LINE = { custom_id: "my-third-request", result: { type: "expired" } };

export const BEDROCK_MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";
export const BEDROCK_OK_LINE = {
  recordId: "CALL0000001",
  modelInput: {
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 1024,
    messages: [{ role: "user", content: [{ type: "text", text: "SECRET PROMPT TEXT" }] }],
  },
  modelOutput: {
    id: "msg_bdrk_01",
    type: "message",
    role: "assistant",
    model: "claude-3-5-haiku-20241022",
    content: [{ type: "text", text: "ok" }],
    stop_reason: "end_turn",
    usage: { input_tokens: 100, output_tokens: 50 },
  },
};
/** 100 × 0.80 + 50 × 4.00 = 280 per 1M; batch × 0.5. */
export const BEDROCK_BATCH_COST = "0.00014";
export const BEDROCK_ERROR_LINE = {
  recordId: "CALL0000002",
  modelInput: { messages: [] },
  error: { errorCode: 400, errorMessage: "Malformed input request" },
};
