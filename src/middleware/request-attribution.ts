import type { IncomingHttpHeaders } from "node:http";
import { validateAttribution, withContext, type Attribution } from "tokenledger";
import type { MiddlewareConfig } from "./options.js";

/** Counters a middleware keeps; read them with `stats()`. */
export interface MiddlewareStats {
  /** Requests that went through the middleware. */
  readonly requests: number;
  /** Header values dropped for being too long or holding unsafe characters, in total and per header. */
  readonly invalidHeaders: number;
  readonly invalidHeadersByName: Readonly<Record<string, number>>;
  /** `resolve()` threw, rejected or returned something that is not an attribution. */
  readonly resolveErrors: number;
  /** Failures inside the middleware itself; the request went on untracked by it. */
  readonly internalErrors: number;
}

const MAX_HEADER_VALUE = 128;
// Identifiers, emails, slugs, UUIDs, base64: letters, digits and . _ : @ / + = # ~ | -. No spaces, commas
// (a repeated header arrives joined with ", "), quotes, angle brackets or control characters.
const SAFE_VALUE = /^[A-Za-z0-9._:@/+=#~|-]+$/;

/** Route pattern and method for metadata; `route` may be a getter when the framework matches routes later. */
export type RequestMetadata = Record<string, unknown>;

/** Turns one request into an attribution, counting (never throwing on) what it must drop. */
export class RequestAttribution<Req> {
  readonly #config: MiddlewareConfig<Req>;
  #requests = 0;
  #invalid = 0;
  readonly #invalidByName: Record<string, number> = {};
  #resolveErrors = 0;
  #internalErrors = 0;
  readonly #warned = new Set<string>();

  constructor(config: MiddlewareConfig<Req>) {
    this.#config = config;
  }

  get hasResolve(): boolean {
    return this.#config.resolve !== undefined;
  }

  /** Static attribution + valid headers + route metadata. Never throws. */
  fromRequest(
    headers: IncomingHttpHeaders,
    metadata: () => RequestMetadata | undefined,
  ): Attribution | undefined {
    this.#requests++;
    try {
      const fields: Record<string, string> = {};
      for (const [key, header] of this.#config.headers) {
        const value = headers[header];
        if (value === undefined || value === "") continue;
        if (typeof value === "string" && value.length <= MAX_HEADER_VALUE && SAFE_VALUE.test(value)) {
          fields[key] = value;
        } else {
          this.#dropHeader(header);
        }
      }
      const meta = this.#config.routeMetadata ? metadata() : undefined;
      const own: Attribution = meta ? { ...fields, metadata: meta } : fields;
      return mergeRequestAttribution(this.#config.attribution, own);
    } catch (err) {
      this.internalError(err);
      return undefined;
    }
  }

  /** The `resolve` option's answer, checked. Never throws and never rejects. */
  resolve(req: Req): Attribution | undefined | Promise<Attribution | undefined> {
    const resolve = this.#config.resolve;
    if (!resolve) return undefined;
    let answer: unknown;
    try {
      answer = resolve(req);
    } catch (err) {
      return this.#resolveFailed(err);
    }
    if (
      answer !== null &&
      typeof answer === "object" &&
      typeof (answer as PromiseLike<unknown>).then === "function"
    ) {
      return Promise.resolve(answer as PromiseLike<unknown>).then(
        (value) => this.#checkResolved(value),
        (err: unknown) => this.#resolveFailed(err),
      );
    }
    return this.#checkResolved(answer);
  }

  /**
   * Run `next` inside `attribution`, exactly once, whatever happens. A context that cannot be opened means the
   * request runs untracked by this middleware, never that it fails.
   */
  enter(attribution: Attribution | undefined, next: () => void): void {
    if (!attribution) return next();
    let entered = false;
    try {
      withContext(attribution, () => {
        entered = true;
        next();
      });
    } catch (err) {
      if (entered) throw err; // the framework's own error, not ours
      this.internalError(err);
      next();
    }
  }

  internalError(err: unknown): void {
    this.#internalErrors++;
    this.#warnOnce("internal", `request attribution failed: ${String((err as Error)?.message ?? err)}`);
  }

  stats(): MiddlewareStats {
    return {
      requests: this.#requests,
      invalidHeaders: this.#invalid,
      invalidHeadersByName: { ...this.#invalidByName },
      resolveErrors: this.#resolveErrors,
      internalErrors: this.#internalErrors,
    };
  }

  #checkResolved(value: unknown): Attribution | undefined {
    if (value === undefined || value === null) return undefined;
    try {
      return validateAttribution(value, "resolve()");
    } catch (err) {
      return this.#resolveFailed(err);
    }
  }

  #resolveFailed(err: unknown): undefined {
    this.#resolveErrors++;
    this.#warnOnce(
      "resolve",
      `resolve() failed; the request is attributed from headers only: ${String((err as Error)?.message ?? err)}`,
    );
    return undefined;
  }

  #dropHeader(header: string): void {
    this.#invalid++;
    this.#invalidByName[header] = (this.#invalidByName[header] ?? 0) + 1;
    // The value itself is never logged or stored: it may be an injection attempt or a secret sent by mistake.
    this.#warnOnce(
      `header:${header}`,
      `dropped an invalid "${header}" header (longer than ${MAX_HEADER_VALUE} characters or holding characters outside ` +
        `letters, digits and . _ : @ / + = # ~ | -); later ones are counted in stats().invalidHeaders`,
    );
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key) || this.#config.logger === false) return;
    this.#warned.add(key);
    try {
      this.#config.logger.warn(message);
    } catch {
      /* a logger must not break a request */
    }
  }
}

export function isPromiseLike<T>(v: unknown): v is PromiseLike<T> {
  return v !== null && typeof v === "object" && typeof (v as PromiseLike<T>).then === "function";
}

/**
 * Like the core merge (inner wins, metadata key by key) but copies metadata property descriptors, so a lazily
 * read value (Express learns the route only after this middleware ran) stays lazy instead of being read now.
 */
export function mergeRequestAttribution(
  outer: Attribution | undefined,
  inner: Attribution | undefined,
): Attribution | undefined {
  if (!outer) return inner;
  if (!inner) return outer;
  if (!outer.metadata || !inner.metadata)
    return { ...outer, ...inner, ...(outer.metadata && !inner.metadata ? { metadata: outer.metadata } : {}) };
  const metadata = Object.defineProperties(
    {},
    {
      ...Object.getOwnPropertyDescriptors(outer.metadata),
      ...Object.getOwnPropertyDescriptors(inner.metadata),
    },
  );
  return { ...outer, ...inner, metadata };
}
