import { ATTRIBUTION_KEYS, mergeAttribution, type Attribution } from "./core/attribution.js";
import {
  getContext,
  keepScope,
  noteInterceptedCall,
  runCountingCalls,
  runWithAttribution,
  validateAttribution,
  type ScopedResultObserver,
} from "./core/context.js";
import { TokenLedgerConfigError } from "./core/errors.js";
import { consoleLogger, SafeLogger } from "./core/logger.js";
import { manualCallToEvent, type ManualCall, type UsageRecorder } from "./manual.js";
import { currentTracker } from "./track.js";

/** What a `usage` / `streamUsage` extractor returns: the call as `trackCost()` takes it (attribution comes from the method's scope). */
export type ExtractedUsage = Omit<ManualCall, "attribution">;

export interface TrackLLMOptions<Result = unknown, Item = unknown> extends Attribution {
  /**
   * Record usage from the method's (awaited) return value, for calls no interceptor sees. Skipped when an
   * intercepted SDK call (or `trackCost()`) already recorded something inside the method: never counted twice.
   * Return `undefined` to record nothing.
   */
  readonly usage?: (result: Result) => ExtractedUsage | undefined;
  /**
   * For methods returning an async iterable (a stream): called with every item; the last answer that is not
   * `undefined` is recorded once, when iteration ends (completed, `break` or error). Same no-double-count rule.
   */
  readonly streamUsage?: (item: Item) => ExtractedUsage | undefined;
  /** Where extracted usage is recorded; the tracker from `track()` by default. */
  readonly tracker?: UsageRecorder;
}

/** Works as a TC39 standard decorator and as an `experimentalDecorators` one; methods only. */
export interface TrackLLMDecorator {
  <This, Args extends unknown[], Return>(
    method: (this: This, ...args: Args) => Return,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
  ): (this: This, ...args: Args) => Return;
  <T>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T>;
}

const OWN_OPTIONS = ["usage", "streamUsage", "tracker"] as const;
const log = new SafeLogger(consoleLogger);

/**
 * Run the decorated method inside an attribution scope: `feature` defaults to `ClassName.methodName`, plus any
 * attribution fields given. Sync and async methods; a returned async iterable keeps the scope while the caller
 * iterates it later.
 *
 * @example
 * class Support {
 *   @trackLLM({ teamId: "support" })
 *   async answer(q: string) { return openai.chat.completions.create({ model: "gpt-4o-mini", messages: [...] }); }
 * }
 */
export function trackLLM<Result = unknown, Item = unknown>(
  options: TrackLLMOptions<Result, Item> = {},
): TrackLLMDecorator {
  const settings = checkOptions(options);
  function trackLLMDecorator(...args: unknown[]): unknown {
    const [target, second, descriptor] = args;
    if (args.length === 2 && isDecoratorContext(second)) {
      // TC39 standard decorator: (value, context)
      if (second.kind !== "method" || typeof target !== "function") {
        throw new TypeError(
          `@trackLLM can only decorate methods, not the ${second.kind} "${String(second.name)}"`,
        );
      }
      const name = String(second.name);
      const wrapper: (this: unknown, ...a: unknown[]) => unknown = wrapMethod(
        target as (...a: unknown[]) => unknown,
        settings,
        (self) => `${classNameOf(self, second.name, wrapper, second.static)}.${name}`,
      );
      return wrapper;
    }
    // experimentalDecorators: (target, key, descriptor) for methods; other shapes are fields, classes, parameters.
    if (typeof target === "function" && args.length === 1) {
      throw new TypeError(`@trackLLM can only decorate methods, not the class "${target.name}"`);
    }
    const key = second as string | symbol;
    const desc = descriptor as PropertyDescriptor | undefined;
    if (typeof descriptor === "number") {
      throw new TypeError(`@trackLLM can only decorate methods, not a parameter of "${String(key)}"`);
    }
    if (!desc || typeof desc.value !== "function") {
      const what = desc?.get ? "getter" : desc?.set ? "setter" : "field";
      throw new TypeError(`@trackLLM can only decorate methods, not the ${what} "${String(key)}"`);
    }
    const owner =
      typeof target === "function"
        ? target.name
        : (target as { constructor?: { name?: string } }).constructor?.name;
    const feature = `${owner ?? "anonymous"}.${String(key)}`;
    desc.value = wrapMethod(desc.value as (...a: unknown[]) => unknown, settings, () => feature);
    return desc;
  }
  return trackLLMDecorator as TrackLLMDecorator;
}

interface Settings {
  readonly attribution: Attribution;
  readonly usage?: (result: unknown) => ExtractedUsage | undefined;
  readonly streamUsage?: (item: unknown) => ExtractedUsage | undefined;
  readonly tracker?: UsageRecorder;
}

function checkOptions(options: unknown): Settings {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TokenLedgerConfigError('@trackLLM: options must be an object such as { feature: "search" }');
  }
  const o = options as Record<string, unknown>;
  const attribution: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o)) {
    if ((OWN_OPTIONS as readonly string[]).includes(key)) continue;
    if (key !== "metadata" && !(ATTRIBUTION_KEYS as readonly string[]).includes(key)) {
      throw new TokenLedgerConfigError(
        `@trackLLM: unknown option "${key}" (expected ${[...ATTRIBUTION_KEYS, "metadata", ...OWN_OPTIONS].join(", ")})`,
      );
    }
    attribution[key] = value;
  }
  for (const key of ["usage", "streamUsage"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "function") {
      throw new TokenLedgerConfigError(
        `@trackLLM: "${key}" must be a function (result) => ({ provider, model, usage })`,
      );
    }
  }
  const tracker = o.tracker as UsageRecorder | undefined;
  if (tracker !== undefined && (tracker === null || typeof tracker.record !== "function")) {
    throw new TokenLedgerConfigError(
      '@trackLLM: "tracker" must be a TokenTracker (an object with record(event))',
    );
  }
  return {
    attribution: validateAttribution(attribution, "@trackLLM"),
    ...(o.usage ? { usage: o.usage as Settings["usage"] } : {}),
    ...(o.streamUsage ? { streamUsage: o.streamUsage as Settings["streamUsage"] } : {}),
    ...(tracker ? { tracker } : {}),
  };
}

function isDecoratorContext(v: unknown): v is { kind: string; name: string | symbol; static?: boolean } {
  return v !== null && typeof v === "object" && typeof (v as { kind?: unknown }).kind === "string";
}

/**
 * Standard decorators do not give the class; find it as the owner of the method slot on the prototype chain
 * (so a subclass calling an inherited method still reports the declaring class). Private methods fall back to
 * the instance's class.
 */
function classNameOf(
  self: unknown,
  name: string | symbol,
  wrapper: unknown,
  isStatic: boolean | undefined,
): string {
  let o: unknown = isStatic
    ? self
    : self === null || self === undefined
      ? undefined
      : Object.getPrototypeOf(self);
  for (; o !== null && o !== undefined; o = Object.getPrototypeOf(o)) {
    if (Object.getOwnPropertyDescriptor(o, name)?.value === wrapper) {
      return isStatic
        ? (o as { name?: string }).name || "anonymous"
        : ((o as { constructor?: { name?: string } }).constructor?.name ?? "anonymous");
    }
  }
  const fallback = isStatic
    ? (self as { name?: string } | undefined)?.name
    : (self as { constructor?: { name?: string } } | undefined)?.constructor?.name;
  return fallback || "anonymous";
}

function wrapMethod(
  original: (...a: unknown[]) => unknown,
  settings: Settings,
  featureOf: (self: unknown) => string,
): (this: unknown, ...a: unknown[]) => unknown {
  let cachedFeature: string | undefined;
  const counting = Boolean(settings.usage || settings.streamUsage);
  return function trackedMethod(this: unknown, ...args: unknown[]): unknown {
    let attribution: Attribution;
    try {
      cachedFeature ??= featureOf(this);
      attribution = mergeAttribution(getContext(), { feature: cachedFeature, ...settings.attribution });
    } catch {
      return original.apply(this, args); // tracking must never stand in the method's way
    }
    const started = performance.now();
    if (!counting) {
      return runWithAttribution(attribution, () => keepScope(original.apply(this, args)));
    }
    return runCountingCalls(attribution, (count) => {
      const recording = new UsageRecording(settings, count, started);
      return keepScope(original.apply(this, args), recording.observer());
    });
  };
}

/** Records extracted usage at most once, and only when nothing inside the method recorded the call already. */
class UsageRecording {
  #done = false;
  constructor(
    private readonly settings: Settings,
    private readonly intercepted: () => number,
    private readonly started: number,
  ) {}

  /** Hooks for `keepScope`: the awaited result, or each item and the end of a returned stream. */
  observer(): ScopedResultObserver {
    const { usage, streamUsage } = this.settings;
    let last: ExtractedUsage | undefined;
    return {
      onValue: (value) => {
        if (usage) this.#record(() => usage(value));
      },
      onItem: (item) => {
        if (!streamUsage) return;
        try {
          last = streamUsage(item) ?? last;
        } catch (err) {
          this.#fail(err);
        }
      },
      onEnd: () => {
        if (streamUsage) this.#record(() => last);
      },
    };
  }

  #record(extract: () => ExtractedUsage | undefined): void {
    if (this.#done) return;
    this.#done = true;
    try {
      if (this.intercepted() > 0) return; // an interceptor or trackCost() already recorded this call
      const usage = extract();
      if (usage === undefined) return;
      const tracker = this.settings.tracker ?? currentTracker();
      if (!tracker) {
        log.warnOnce(
          "trackLLM-no-tracker",
          "@trackLLM({ usage }) ran before track(): the call is not recorded (pass { tracker } or call track() first)",
        );
        return;
      }
      const latencyMs = performance.now() - this.started;
      tracker.record(manualCallToEvent({ latencyMs, ...usage }, "@trackLLM usage()"));
      noteInterceptedCall(); // an enclosing @trackLLM({ usage }) must not count it again
    } catch (err) {
      this.#fail(err);
    }
  }

  #fail(err: unknown): void {
    const tracker = (this.settings.tracker ?? currentTracker()) as
      (UsageRecorder & { reportInternalError?: (s: string, e: unknown) => void }) | undefined;
    if (typeof tracker?.reportInternalError === "function")
      tracker.reportInternalError("trackLLM-usage", err);
    else
      log.warnOnce(
        `trackLLM-usage:${String((err as Error)?.message ?? err).slice(0, 60)}`,
        `@trackLLM usage extractor failed: ${String((err as Error)?.message ?? err)}`,
      );
  }
}
