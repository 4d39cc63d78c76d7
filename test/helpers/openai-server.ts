import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local server speaking OpenAI's wire format (JSON answers, SSE streams, error bodies, request-id headers),
 * for Chat Completions, legacy Completions, Responses and Embeddings, on OpenAI paths (`/v1/...`) and Azure
 * deployment paths (`/openai/deployments/<name>/...`). Behaviour is chosen by the request's `model`:
 *
 * | model                  | behaviour                                                                   |
 * | ---------------------- | --------------------------------------------------------------------------- |
 * | `rate-limited`         | 429 with an OpenAI error body                                               |
 * | `server-error`         | 500                                                                         |
 * | `reject-stream-options`| 400 "Unrecognized request argument supplied: stream_options" when present    |
 * | `reset-mid-stream`     | two chunks, then the socket is destroyed                                    |
 * | `slow-stream`          | chunks 30 ms apart (for abort and early `break`)                            |
 * | `incomplete`           | Responses: ends with `response.incomplete` (usage included)                 |
 * | `failed`               | Responses: ends with `response.failed` (usage included)                     |
 * | `canary-error`         | 401 whose message echoes the API key                                        |
 * | `garbage-usage`        | Chat (not streamed): a usage object with non-numeric and negative counts     |
 * | anything else          | a normal answer with `server.usage` numbers                                 |
 *
 * Responses `background: true` (not streamed) answers `status: "queued"` with a fresh `resp_bg_<n>` id and no
 * usage; `GET /v1/responses/<id>` answers `in_progress` for the first `backgroundPolls` reads, then the finished
 * response (per the create's `model` scenario) with usage; `?stream=true` replays its events as SSE.
 */
export interface FakeUsage {
  prompt: number;
  cached: number;
  completion: number;
  reasoning: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: Record<string, any>;
}

export const DEFAULT_USAGE: FakeUsage = { prompt: 10_000, cached: 8_000, completion: 500, reasoning: 200 };

export interface OpenAIFakeServer {
  readonly url: string;
  /** `http://127.0.0.1:<port>/v1` */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  usage: FakeUsage;
  /** Model echoed in answers; default: `<requested>-2024-08-06` (a dated snapshot, like OpenAI). */
  responseModel?: (requested: string) => string;
  /** Azure content-filter chunk first (`choices: []`, `model: ""`, `usage: null`). */
  azureFilterChunk: boolean;
  /** Background responses: how many `GET /responses/<id>` answer `in_progress` before the result. */
  backgroundPolls: number;
  close(): Promise<void>;
}

let requestCounter = 0;

export async function startOpenAIServer(): Promise<OpenAIFakeServer> {
  const state = {
    requests: [] as RecordedRequest[],
    usage: { ...DEFAULT_USAGE },
    responseModel: undefined as ((m: string) => string) | undefined,
    azureFilterChunk: false,
    backgroundPolls: 0,
    backgrounds: new Map<string, Background>(),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: Record<string, any> = {};
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
      } catch {
        /* keep {} */
      }
      const path = (req.url ?? "").split("?")[0] ?? "";
      state.requests.push({ method: req.method ?? "", path, headers: req.headers, body });
      handle(req, res, path, body, state);
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    requests: state.requests,
    get usage() {
      return state.usage;
    },
    set usage(u: FakeUsage) {
      state.usage = u;
    },
    get responseModel() {
      return state.responseModel;
    },
    set responseModel(fn) {
      state.responseModel = fn;
    },
    get azureFilterChunk() {
      return state.azureFilterChunk;
    },
    set azureFilterChunk(v: boolean) {
      state.azureFilterChunk = v;
    },
    get backgroundPolls() {
      return state.backgroundPolls;
    },
    set backgroundPolls(n: number) {
      state.backgroundPolls = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Background {
  readonly model: string;
  readonly scenario: string;
  reads: number;
}

interface State {
  usage: FakeUsage;
  responseModel: ((m: string) => string) | undefined;
  azureFilterChunk: boolean;
  backgroundPolls: number;
  backgrounds: Map<string, Background>;
}

let backgroundCounter = 0;

function headers(extra: Record<string, string> = {}): Record<string, string> {
  requestCounter += 1;
  return {
    "x-request-id": `req_${requestCounter.toString().padStart(6, "0")}`,
    "openai-processing-ms": "12",
    "openai-version": "2020-10-01",
    "x-ratelimit-remaining-requests": "9999",
    ...extra,
  };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, headers({ "content-type": "application/json", ...extra }));
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null,
): void {
  // `retry-after-ms` (sent by Azure) keeps the SDK's own retries fast in tests.
  sendJson(
    res,
    status,
    { error: { message, type, param: null, code } },
    status === 429 ? { "retry-after-ms": "5" } : {},
  );
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Record<string, any>,
  state: State,
): void {
  const deployment = /\/deployments\/([^/]+)\//.exec(path)?.[1];
  const requested = String(body.model ?? deployment ?? "unknown");
  const model = state.responseModel ? state.responseModel(requested) : `${requested}-2024-08-06`;
  const scenario = String(body.model ?? deployment ?? "");

  if (scenario === "rate-limited")
    return sendError(res, 429, "Rate limit reached for requests", "requests", "rate_limit_exceeded");
  if (scenario === "server-error")
    return sendError(
      res,
      500,
      "The server had an error while processing your request.",
      "server_error",
      null,
    );
  if (scenario === "canary-error") {
    const auth = String(req.headers.authorization ?? req.headers["api-key"] ?? "");
    const key = auth.replace(/^Bearer\s+/i, "");
    return sendError(
      res,
      401,
      `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com.`,
      "invalid_request_error",
      "invalid_api_key",
    );
  }
  if (scenario === "reject-stream-options" && body.stream_options !== undefined) {
    return sendError(
      res,
      400,
      "Unrecognized request argument supplied: stream_options",
      "invalid_request_error",
      null,
    );
  }

  if (path.endsWith("/chat/completions")) return chat(res, body, model, scenario, state);
  if (path.endsWith("/completions")) return legacyCompletion(res, body, model, scenario, state);
  const retrieved = /\/responses\/([^/]+)$/.exec(path)?.[1];
  if (req.method === "GET" && retrieved) return retrieveResponse(req, res, retrieved, state);
  if (path.endsWith("/responses") && body.background === true && body.stream !== true) {
    const id = `resp_bg_${++backgroundCounter}`;
    state.backgrounds.set(id, { model, scenario, reads: 0 });
    return sendJson(res, 200, responseBody(id, "queued", model, null));
  }
  if (path.endsWith("/responses")) return responses(res, body, model, scenario, state);
  if (path.endsWith("/embeddings")) return embeddings(res, body, model, state);
  sendError(res, 404, `Unknown path ${path}`, "invalid_request_error", null);
}

function chatUsage(u: FakeUsage): Record<string, unknown> {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: u.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function responsesUsage(u: FakeUsage): Record<string, unknown> {
  return {
    input_tokens: u.prompt,
    input_tokens_details: { cached_tokens: u.cached },
    output_tokens: u.completion,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: u.prompt + u.completion,
  };
}

const WORDS = ["Hello", " from", " the", " fake", " server", "."];

function chat(
  res: ServerResponse,
  body: Record<string, any>,
  model: string,
  scenario: string,
  state: State,
): void {
  const id = "chatcmpl-fake123";
  const created = 1_763_800_000;
  if (body.stream !== true) {
    return sendJson(res, 200, {
      id,
      object: "chat.completion",
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: WORDS.join(""), refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage:
        scenario === "garbage-usage"
          ? { prompt_tokens: "lots", completion_tokens: -1, prompt_tokens_details: "?" }
          : chatUsage(state.usage),
      service_tier: "default",
      system_fingerprint: "fp_fake",
    });
  }
  const includeUsage = body.stream_options?.include_usage === true;
  const events: unknown[] = [];
  const withUsageNull = (chunk: Record<string, unknown>) =>
    includeUsage ? { ...chunk, usage: null } : chunk;
  if (state.azureFilterChunk) {
    events.push({
      id: "",
      object: "",
      created: 0,
      model: "",
      choices: [],
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
      usage: null,
    });
  }
  const base = {
    id,
    object: "chat.completion.chunk",
    created,
    model,
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
  events.push(
    withUsageNull({
      ...base,
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
    }),
  );
  for (const w of WORDS)
    events.push(
      withUsageNull({
        ...base,
        choices: [{ index: 0, delta: { content: w }, logprobs: null, finish_reason: null }],
      }),
    );
  events.push(
    withUsageNull({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }] }),
  );
  if (includeUsage) events.push({ ...base, choices: [], usage: chatUsage(state.usage) });
  streamSse(
    res,
    events.map((e) => ({ data: e })),
    scenario,
  );
}

function legacyCompletion(
  res: ServerResponse,
  body: Record<string, any>,
  model: string,
  scenario: string,
  state: State,
): void {
  const base = {
    id: "cmpl-fake123",
    object: "text_completion",
    created: 1_763_800_000,
    model,
    system_fingerprint: "fp_fake",
  };
  if (body.stream !== true) {
    return sendJson(res, 200, {
      ...base,
      choices: [{ text: WORDS.join(""), index: 0, logprobs: null, finish_reason: "stop" }],
      usage: chatUsage(state.usage),
    });
  }
  const includeUsage = body.stream_options?.include_usage === true;
  const events: unknown[] = WORDS.map((w) => ({
    ...base,
    choices: [{ text: w, index: 0, logprobs: null, finish_reason: null }],
    ...(includeUsage ? { usage: null } : {}),
  }));
  if (includeUsage) events.push({ ...base, choices: [], usage: chatUsage(state.usage) });
  streamSse(
    res,
    events.map((e) => ({ data: e })),
    scenario,
  );
}

function responses(
  res: ServerResponse,
  body: Record<string, any>,
  model: string,
  scenario: string,
  state: State,
): void {
  const id = "resp_fake123";
  const finalStatus =
    scenario === "incomplete" ? "incomplete" : scenario === "failed" ? "failed" : "completed";
  if (body.stream !== true)
    return sendJson(res, 200, responseBody(id, finalStatus, model, responsesUsage(state.usage)));
  streamSse(res, responseEvents(id, finalStatus, model, state), scenario, false);
}

function retrieveResponse(req: IncomingMessage, res: ServerResponse, id: string, state: State): void {
  const bg = state.backgrounds.get(id);
  if (!bg) return sendError(res, 404, `No response found with id '${id}'.`, "invalid_request_error", null);
  const finalStatus =
    bg.scenario === "incomplete" ? "incomplete" : bg.scenario === "failed" ? "failed" : "completed";
  const stream = /[?&]stream=true/.test(req.url ?? "");
  if (stream) return streamSse(res, responseEvents(id, finalStatus, bg.model, state), "", false);
  if (bg.reads++ < state.backgroundPolls)
    return sendJson(res, 200, responseBody(id, "in_progress", bg.model, null));
  sendJson(res, 200, responseBody(id, finalStatus, bg.model, responsesUsage(state.usage)));
}

function responseBody(id: string, status: string, model: string, usage: unknown): Record<string, unknown> {
  return {
    id,
    object: "response",
    created_at: 1_763_800_000,
    status,
    model,
    output:
      status === "in_progress" || status === "queued"
        ? []
        : [
            {
              type: "message",
              id: "msg_1",
              status: "completed",
              role: "assistant",
              content: [{ type: "output_text", text: WORDS.join(""), annotations: [] }],
            },
          ],
    usage,
    service_tier: "default",
    error: status === "failed" ? { code: "server_error", message: "The model failed" } : null,
    incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
  };
}

function responseEvents(
  id: string,
  finalStatus: string,
  model: string,
  state: State,
): { event: string; data: unknown }[] {
  const response = (status: string, usage: unknown) => responseBody(id, status, model, usage);
  const events: { event: string; data: unknown }[] = [];
  let seq = 0;
  const push = (type: string, extra: Record<string, unknown>) =>
    events.push({ event: type, data: { type, sequence_number: seq++, ...extra } });
  push("response.created", { response: response("in_progress", null) });
  push("response.in_progress", { response: response("in_progress", null) });
  push("response.output_item.added", {
    output_index: 0,
    item: { type: "message", id: "msg_1", status: "in_progress", role: "assistant", content: [] },
  });
  push("response.content_part.added", {
    item_id: "msg_1",
    output_index: 0,
    content_index: 0,
    part: { type: "output_text", text: "", annotations: [] },
  });
  for (const w of WORDS)
    push("response.output_text.delta", { item_id: "msg_1", output_index: 0, content_index: 0, delta: w });
  push("response.output_text.done", {
    item_id: "msg_1",
    output_index: 0,
    content_index: 0,
    text: WORDS.join(""),
  });
  push("response.content_part.done", {
    item_id: "msg_1",
    output_index: 0,
    content_index: 0,
    part: { type: "output_text", text: WORDS.join(""), annotations: [] },
  });
  push(`response.${finalStatus}`, { response: response(finalStatus, responsesUsage(state.usage)) });
  return events;
}

function embeddings(res: ServerResponse, body: Record<string, any>, model: string, state: State): void {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const vector = [0.25, -0.5, 0.125];
  const embedding =
    body.encoding_format === "base64"
      ? Buffer.from(new Float32Array(vector).buffer).toString("base64")
      : vector;
  sendJson(res, 200, {
    object: "list",
    data: inputs.map((_: unknown, index: number) => ({ object: "embedding", index, embedding })),
    model,
    usage: { prompt_tokens: state.usage.prompt, total_tokens: state.usage.prompt },
  });
}

function streamSse(
  res: ServerResponse,
  events: { event?: string; data: unknown }[],
  scenario: string,
  done = true,
): void {
  res.writeHead(
    200,
    headers({
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
    }),
  );
  const frames = events.map(
    (e) => `${e.event ? `event: ${e.event}\n` : ""}data: ${JSON.stringify(e.data)}\n\n`,
  );
  if (done) frames.push("data: [DONE]\n\n");
  if (scenario === "reset-mid-stream") {
    res.write(frames[0]);
    res.write(frames[1]);
    setTimeout(() => res.socket?.destroy(), 20);
    return;
  }
  const delay = scenario === "slow-stream" ? 30 : 0;
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (i >= frames.length) return void res.end();
    res.write(frames[i++]);
    if (delay) setTimeout(next, delay);
    else setImmediate(next);
  };
  next();
}
