import { currentTracker, type UsageEventInput } from "tokenledger";
import { acceptCallNotes, takeCallNote, type CallNote } from "../../interceptors/_shared/call-note.js";
import { failoverColumns } from "./event-columns.js";
import { FailoverGroup, type FailedAttempt } from "./group.js";
import { checkGroup, checkShare, resolvePolicy } from "./policy.js";
import { shareHealth } from "./shared-health.js";
import { registerGroup } from "./registry.js";
import {
  operationOf,
  stainlessAttempt,
  type RequestOptions,
  type ResponseProps,
  type StainlessClient,
} from "./stainless.js";
import type { FailoverGroupOptions, FailoverNote } from "./types.js";

/** Provider label in events for target providers that name a hosting route rather than a biller. */
const EVENT_PROVIDER: Readonly<Record<string, string>> = {
  "bedrock-anthropic": "bedrock",
  "vertex-anthropic": "vertex",
  "azure-openai": "azure",
};

/**
 * A client that sends each call to the first healthy target of the group and moves on, before the first byte
 * reaches the caller, on connection errors, first-byte timeouts, 408, 429, 5xx and 529. It is a clone of the
 * first target's client, so every method returns the SDK's own `APIPromise`, `Stream` or `MessageStream`
 * whichever target answers. The SDK's own retries are off: the group is the only retry loop.
 */
export function failover<C extends object>(options: FailoverGroupOptions<C>): C {
  const format = checkGroup(options);
  const policy = resolvePolicy(`failover group "${options.name}"`, options.policy);
  const group = new FailoverGroup(options.name, format, options.targets, policy, options.now);
  if (options.share)
    group.shared = shareHealth(group, checkShare(`failover group "${options.name}"`, options.share));
  registerGroup(group);
  const record = options.record ?? ((e: UsageEventInput) => currentTracker()?.record(e));
  return failoverClient(group, record);
}

/** The group behind a client made by `failover()`, for status and tests. */
export function groupOf(client: object): FailoverGroup | undefined {
  return groups.get(client);
}

const groups = new WeakMap<object, FailoverGroup>();

function failoverClient<C extends object>(group: FailoverGroup, record: (e: UsageEventInput) => void): C {
  const primary = (group.targets[0]?.spec.client as StainlessClient).withOptions({ maxRetries: 0 });
  const makeRequest = (optionsInput: unknown): Promise<ResponseProps> => {
    const callNote = takeCallNote(primary); // synchronously, while the intercepted call that left it is starting
    return (async () => {
      const options = (await optionsInput) as RequestOptions;
      return group.run(stainlessAttempt(group, options), options.signal, {
        failedOver: (f) => recordFailed(f, operationOf(options.path), options.stream === true, record),
        answered: (note, target) => {
          if (callNote) annotate(callNote, note, target.spec.provider);
        },
      });
    })();
  };
  Object.defineProperty(primary, "makeRequest", { value: makeRequest, configurable: true, writable: true });
  acceptCallNotes(primary);
  groups.set(primary, group);
  return primary as unknown as C;
}

function annotate(callNote: CallNote, note: FailoverNote, provider: string): void {
  callNote.provider = EVENT_PROVIDER[provider] ?? provider;
  callNote.metadata = { failover: note };
}

/** Each attempt that did not answer is its own event (unbilled: no usage), naming target and reason. */
function recordFailed(
  f: FailedAttempt,
  operation: string,
  streamed: boolean,
  record: (e: UsageEventInput) => void,
): void {
  try {
    const err = f.error as { status?: unknown; constructor?: { name?: string }; message?: unknown } | null;
    record({
      provider: EVENT_PROVIDER[f.target.spec.provider] ?? f.target.spec.provider,
      requestedModel: f.target.spec.model ?? null,
      operation,
      streamed,
      status: "error",
      errorType: err?.constructor?.name ?? "Error",
      httpStatus: typeof err?.status === "number" ? err.status : null,
      latencyMs: f.latencyMs,
      usage: null,
      usageSource: "missing",
      ...failoverColumns(f.note),
      metadata: {
        failover: {
          ...f.note,
          ...(f.verdict.kind === "failover" ? { failedBecause: f.verdict.reason } : {}),
        },
      },
      ...(typeof err?.message === "string" ? { errorMessage: err.message } : {}),
    });
  } catch {
    /* recording never reaches the caller */
  }
}
