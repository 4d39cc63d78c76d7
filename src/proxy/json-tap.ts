import { answerMeta } from "./answer-meta.js";
import type { UsageShape } from "./routes.js";
import { EMPTY_OUTCOME, errorText, obj, str, type TapOutcome, type UsageTap } from "./tap-types.js";

/** Whole bodies up to this size are parsed; larger ones (big embeddings) keep only their head and tail. */
const WHOLE_LIMIT = 8 * 1024 * 1024;
const EDGE = 64 * 1024;

/**
 * A non-streamed JSON answer, parsed once it ended. Memory is bounded: past WHOLE_LIMIT only the first and last
 * 64 KiB are kept, and `model` / `usage` are read from them (both APIs put `usage` near the end).
 */
export class JsonTap implements UsageTap {
  readonly #shape: UsageShape | null;
  #parts: Buffer[] = [];
  #size = 0;
  #tail: Buffer | null = null;

  constructor(shape: UsageShape | null = null) {
    this.#shape = shape;
  }

  write(chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#tail === null && this.#size <= WHOLE_LIMIT) {
      this.#parts.push(chunk);
      return;
    }
    if (this.#tail === null) {
      const all = Buffer.concat(this.#parts);
      this.#parts = [all.subarray(0, EDGE)];
      this.#tail = Buffer.from(all.subarray(-EDGE));
      return;
    }
    const joined = Buffer.concat([this.#tail, chunk]);
    this.#tail = Buffer.from(joined.subarray(-EDGE));
  }

  async finish(): Promise<TapOutcome> {
    if (this.#tail === null) return fromBody(Buffer.concat(this.#parts).toString("utf8"), this.#shape);
    const head = this.#parts[0]!.toString("utf8");
    const tail = this.#tail.toString("utf8");
    return {
      ...EMPTY_OUTCOME,
      model: /"model"\s*:\s*"([^"]{1,200})"/.exec(head)?.[1] ?? null,
      usage: lastObject(tail, "usage"),
      complete: true,
    };
  }
}

function fromBody(text: string, shape: UsageShape | null): TapOutcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ...EMPTY_OUTCOME, malformed: true };
  }
  const b = obj(body);
  const usage = b.usage ?? obj(b.response).usage ?? null;
  return {
    model: str(b.model),
    usage,
    serviceTier: str(b.service_tier) ?? str(obj(b.usage).service_tier),
    complete: true,
    failure: b.error !== undefined ? errorText(body) : null,
    malformed: false,
    ...answerMeta(shape, body),
  };
}

/** The last `"key": { ... }` object in a JSON fragment, parsed; null when it cannot be found whole. */
function lastObject(text: string, key: string): unknown {
  const at = text.lastIndexOf(`"${key}"`);
  if (at < 0) return null;
  const open = text.indexOf("{", at);
  if (open < 0) return null;
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) {
      try {
        return JSON.parse(text.slice(open, i + 1));
      } catch {
        return null;
      }
    }
  }
  return null;
}
