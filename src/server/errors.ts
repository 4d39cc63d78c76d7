import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodError } from "zod";
import { TokenLedgerConfigError } from "../core/errors.js";

export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "rate_limited"
  | "internal";

const STATUS: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
};

/** An error the API answers with as `{ error: { code, message, field? } }`. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  get status(): number {
    return STATUS[this.code];
  }
}

/** `events[3].timestamp` from a zod path. */
export function fieldPath(path: readonly PropertyKey[], root = ""): string {
  let out = root;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? String(p) : `.${String(p)}`;
  return out;
}

/** The first zod issue as a 400 naming its field. */
export function fromZod(err: ZodError, root = ""): ApiError {
  const issue = err.issues[0];
  if (!issue) return new ApiError("bad_request", "invalid input");
  let path = [...issue.path];
  let message = issue.message;
  if (issue.code === "unrecognized_keys") {
    path = [...path, issue.keys[0]!];
    message = `unknown field (allowed fields are listed in /api/v1/openapi.json)`;
  }
  const field = fieldPath(path, root);
  return new ApiError("bad_request", field ? `${field}: ${message}` : message, field || undefined);
}

function send(reply: FastifyReply, err: ApiError): FastifyReply {
  const body: { code: ErrorCode; message: string; field?: string } = { code: err.code, message: err.message };
  if (err.field !== undefined) body.field = err.field;
  return reply.status(err.status).send({ error: body });
}

/** Map Fastify's own errors (body limit, bad JSON, content type) onto the contract's codes. */
function fromFastify(err: FastifyError): ApiError | null {
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError("payload_too_large", "request body is larger than the limit (5 MB)");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError("bad_request", "send the body as application/json");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError("bad_request", "the JSON body is empty");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new ApiError("bad_request", "the body is not valid JSON");
    default:
      break;
  }
  if (err.statusCode === 429) return new ApiError("rate_limited", err.message);
  if (err instanceof SyntaxError || (err.statusCode === 400 && err.code?.startsWith("FST_ERR_CTP")))
    return new ApiError("bad_request", "the body is not valid JSON");
  return null;
}

/** JSON errors everywhere, never a stack trace; unexpected errors are logged and answered 500. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ApiError) return send(reply, err);
    if (err instanceof TokenLedgerConfigError) return send(reply, new ApiError("bad_request", err.message));
    const mapped = fromFastify(err);
    if (mapped) return send(reply, mapped);
    req.log.error({ err: { message: err.message, code: err.code } }, "request failed");
    return send(reply, new ApiError("internal", "internal error; see the server log"));
  });
  app.setNotFoundHandler((req, reply) =>
    send(reply, new ApiError("not_found", `no route ${req.method} ${req.url.split("?")[0]}`)),
  );
}

/** Parse with a zod schema or throw the 400 naming the first bad field. */
export function parseOr400<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  value: unknown,
  root = "",
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw fromZod(r.error, root);
  return r.data;
}
