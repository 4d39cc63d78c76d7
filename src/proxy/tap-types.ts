/** What a tap saw of one answer, before normalisation. */
export interface TapOutcome {
  readonly model: string | null;
  /** The provider's usage object as sent (normalised by the route's shape). */
  readonly usage: unknown;
  readonly serviceTier: string | null;
  /** The stream's terminal event (or the whole JSON body) arrived. */
  readonly complete: boolean;
  /** The answer says the call failed (`response.failed`, an `error` event, an error JSON body). */
  readonly failure: string | null;
  /** The body was not what the content type promised (broken JSON or SSE data). */
  readonly malformed: boolean;
  /** Responses that ended `incomplete` carry why. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The answer's own id and stop reasons (interceptors/_shared/response-meta.ts), for gen_ai.response.*. */
  readonly responseId?: string;
  readonly finishReasons?: readonly string[];
}

/**
 * Reads a copy of the response body as it passes. `write` is synchronous and never throws (the pipe must not
 * wait on it); `finish` is called once, when the body ended or was cut.
 */
export interface UsageTap {
  write(chunk: Buffer): void;
  finish(): Promise<TapOutcome>;
}

export const EMPTY_OUTCOME: TapOutcome = {
  model: null,
  usage: null,
  serviceTier: null,
  complete: false,
  failure: null,
  malformed: false,
};

export function str(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

export function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

/** An error JSON body in either API's shape → "type: message". */
export function errorText(body: unknown): string | null {
  const e = obj(obj(body).error);
  const parts = [str(e.type) ?? str(e.code), str(e.message)].filter((p): p is string => p !== null);
  return parts.length ? parts.join(": ") : null;
}
