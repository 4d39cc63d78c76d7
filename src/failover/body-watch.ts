import { StreamCutError } from "./errors.js";
import type { WireFormat } from "./types.js";

/** How a watched body ended: completed, cut (error or missing terminal event), or cancelled by the reader. */
export type BodyEnd =
  | { readonly kind: "complete" }
  | { readonly kind: "cut"; readonly error: unknown }
  | { readonly kind: "cancelled" };

// Terminal events: Chat/Completions `[DONE]`; Responses `response.completed|incomplete|failed`; Anthropic `message_stop`.
const TERMINAL: Readonly<Record<WireFormat, RegExp>> = {
  openai:
    /\[DONE\]|"type":\s*"response\.(completed|incomplete|failed)"|event: response\.(completed|incomplete|failed)/,
  anthropic: /message_stop/,
};

interface WebBody {
  getReader(): ReadableStreamDefaultReader<Uint8Array>;
}

/**
 * For an SSE response: waits for the first chunk (so a first-byte timeout still applies after the headers),
 * then hands back an equivalent `Response` whose body reports how it ended. A stream that ends without its
 * terminal event, or whose connection drops, errors for the reader and is reported `cut`, never complete.
 * Bodies that are not web streams (a custom node-fetch `fetch`) are returned as they are, with `onEnd` not called.
 */
export async function watchStream(
  response: Response,
  format: WireFormat,
  onFirstByte: () => void,
  onEnd: (end: BodyEnd) => void,
): Promise<Response> {
  const body = response.body as unknown as WebBody | null;
  if (!body || typeof body.getReader !== "function") {
    onFirstByte();
    return response;
  }
  const reader = body.getReader();
  const first = await reader.read();
  onFirstByte();
  const terminal = terminalScanner(format);
  let ended = false;
  const end = (e: BodyEnd): void => {
    if (ended) return;
    ended = true;
    onEnd(e);
  };
  let pending: typeof first | null = first;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = pending ?? (await reader.read());
        pending = null;
        if (r.done) {
          if (terminal.seen()) {
            end({ kind: "complete" });
            controller.close();
          } else {
            const error = new StreamCutError(
              "the stream ended before its terminal event: the answer is incomplete",
            );
            end({ kind: "cut", error });
            controller.error(error);
          }
          return;
        }
        terminal.scan(r.value);
        controller.enqueue(r.value);
      } catch (error) {
        end({ kind: "cut", error });
        controller.error(error);
      }
    },
    cancel(reason) {
      end({ kind: "cancelled" });
      return reader.cancel(reason);
    },
  });
  return new Response(stream, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * Whether the format's terminal event has gone by. Chunk boundaries fall anywhere, so the last 64 characters
 * are kept and scanned with the next chunk: a `message_stop` split in two is still seen.
 */
function terminalScanner(format: WireFormat): { scan(chunk: Uint8Array): void; seen(): boolean } {
  const terminal = TERMINAL[format];
  const decoder = new TextDecoder();
  let carry = "";
  let sawEnd = false;
  return {
    scan(chunk) {
      if (sawEnd) return;
      const text = carry + decoder.decode(chunk, { stream: true });
      if (terminal.test(text)) sawEnd = true;
      carry = text.slice(-64);
    },
    seen: () => sawEnd,
  };
}
