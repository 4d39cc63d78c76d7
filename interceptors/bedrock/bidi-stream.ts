import type { NormalizedUsage } from "../../src/core/buckets.js";
import { fromCounts } from "../../src/usage/index.js";

/**
 * Observes an InvokeModelWithBidirectionalStream response (Nova Sonic speech-to-speech): `{ chunk: { bytes } }`
 * events, each a JSON `{ event: { … } }`. `usageEvent` carries the session's running totals in
 * `details.total.{input,output}.{speechTokens,textTokens}` (cumulative: the last one wins, never summed).
 * Speech tokens are audio buckets (a subset of input / output, priced at the audio rates).
 */
export class BidiStreamObserver {
  #usage: NormalizedUsage | undefined;

  /** Returns true when the event is model output (text or audio), for time to first token. */
  observe(item: unknown): boolean {
    const bytes = (item as { chunk?: { bytes?: unknown } } | null)?.chunk?.bytes;
    if (!(bytes instanceof Uint8Array)) return false;
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { event?: Record<string, unknown> } | null;
    const event = json?.event;
    if (!event || typeof event !== "object") return false;
    if (event.usageEvent) this.#usage = novaSonicUsage(event.usageEvent) ?? this.#usage;
    return event.textOutput !== undefined || event.audioOutput !== undefined;
  }

  /** The last totals seen (partial if the session was cut), or undefined when no usage event arrived. */
  usage(): NormalizedUsage | undefined {
    return this.#usage;
  }
}

interface SpeechText {
  speechTokens?: unknown;
  textTokens?: unknown;
}

function novaSonicUsage(value: unknown): NormalizedUsage | undefined {
  const u = value as {
    details?: { total?: { input?: SpeechText; output?: SpeechText } };
    totalInputTokens?: unknown;
    totalOutputTokens?: unknown;
  } | null;
  const total = u?.details?.total;
  if (!total) {
    const input = count(u?.totalInputTokens);
    const output = count(u?.totalOutputTokens);
    return input || output ? fromCounts(input, output) : undefined;
  }
  const speechIn = count(total.input?.speechTokens);
  const speechOut = count(total.output?.speechTokens);
  return {
    ...fromCounts(speechIn + count(total.input?.textTokens), speechOut + count(total.output?.textTokens)),
    inputAudioTokens: speechIn,
    outputAudioTokens: speechOut,
  };
}

function count(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}
