import type { IncomingMessage } from "node:http";

export type BodyRead =
  { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly tooLarge: boolean };

/**
 * The whole request body (needed before the call: model and stream flag for the ledger, the budget estimate).
 * Requests are prompts, small next to answers; past `limit` the request is refused as the upstream would.
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve({ ok: false, tooLarge: true });
  }
  return new Promise<BodyRead>((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        resolve({ ok: false, tooLarge: true });
        return;
      }
      parts.push(c);
    });
    req.once("end", () =>
      resolve({ ok: true, body: parts.length === 1 ? parts[0]! : Buffer.concat(parts, size) }),
    );
    req.once("error", () => resolve({ ok: false, tooLarge: false }));
    // A client that leaves mid-body: `close` without `end` (later resolves are no-ops).
    req.once("close", () => {
      if (!req.complete) resolve({ ok: false, tooLarge: false });
    });
  });
}

/** The JSON request, or undefined when it is not JSON (it is still forwarded as is). */
export function parseJsonBody(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return undefined;
  try {
    const v: unknown = JSON.parse(body.toString("utf8"));
    return v !== null && typeof v === "object" && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Chat Completions stream without `stream_options.include_usage` → the same request asking for it (opt-in:
 * the client then sees one more chunk, with `choices: []`).
 */
export function withIncludeUsage(parsed: Record<string, unknown>): Buffer | null {
  if (parsed.stream !== true) return null;
  const so = parsed.stream_options;
  if (so && typeof so === "object" && (so as Record<string, unknown>).include_usage === true) return null;
  const stream_options = { ...(so && typeof so === "object" ? so : {}), include_usage: true };
  return Buffer.from(JSON.stringify({ ...parsed, stream_options }));
}

/** The request as it will be sent: the client's bytes unless a step had to change the JSON. */
export interface OutgoingBody {
  readonly bytes: Buffer;
  readonly json: Record<string, unknown> | undefined;
}

/**
 * The same JSON request with another `model` (a budget downgrade, a failover target's own model name). Only the
 * value changes; the rest is re-serialised, which is why it is done only when the model really differs.
 */
export function withModel(body: OutgoingBody, model: string | undefined): OutgoingBody {
  if (!body.json || model === undefined || body.json.model === model) return body;
  const json = { ...body.json, model };
  return { bytes: Buffer.from(JSON.stringify(json)), json };
}
