import type { UsageEventInput } from "../../src/core/event.js";

/** What interceptors hand events to. `TokenTracker` satisfies it. */
export interface UsageSink {
  record(input: UsageEventInput): void;
  /** Overwrite the stored event with the same id (a pending background response, completed). Optional. */
  revise?(input: UsageEventInput & { readonly id: string }): void;
  reportInternalError(stage: string, err: unknown): void;
  reportAnomaly(message: string): void;
}

export interface InterceptorOptions {
  /**
   * OpenAI Chat Completions streams report usage only with `stream_options.include_usage`.
   * `"inject"` (default): add it when the caller did not set it and remove the extra usage-only chunk before the
   * caller sees it, so the stream is identical to an untracked one; retried without it if a server rejects it.
   * `"never"`: never change the request (streams without the caller's own flag are recorded as usage `missing`).
   */
  readonly openaiStreamUsage?: "inject" | "never";
  /** Azure OpenAI deployment name → pricing model (for example `{ "prod-chat": "gpt-4o-2024-08-06" }`). */
  readonly azureDeployments?: Readonly<Record<string, string>>;
  /** OpenAI-compatible servers reached with the `openai` SDK: base-URL host (or substring) → provider name. */
  readonly baseURLProviders?: Readonly<Record<string, string>>;
  /** Bedrock application-inference-profile / provisioned-throughput ARN → model id for pricing. */
  readonly bedrockModelMap?: Readonly<Record<string, string>>;
  /**
   * OpenAI Responses `background: true`: the event is recorded as pending when created and completed when the
   * application retrieves (or streams) the response. Off by default (no request the application did not make);
   * when set, tokenledger also polls `responses.retrieve(id)` with the application's client (its API key)
   * every `intervalMs` (default 5000) for at most `maxWaitMs` (default 1 hour).
   */
  readonly openaiBackgroundPoll?: boolean | { readonly intervalMs?: number; readonly maxWaitMs?: number };
}

export interface InterceptorEnv {
  /** The tracker to record into; undefined when tracking is off (then the call runs untouched). */
  readonly sink: () => UsageSink | undefined;
  readonly options: InterceptorOptions;
  /** Log once per key (missing patch targets, unsupported shapes). */
  readonly warnOnce: (key: string, message: string) => void;
}

/**
 * One provider SDK. Patch targets are found by feature detection, not version ranges: when a method the
 * interceptor expects is missing, it warns once through `env.warnOnce` instead of skipping silently.
 */
export interface InterceptorDefinition {
  /** Stable id, also the provider label users see in `instrumentationReport()`. */
  readonly id: string;
  /** npm package names this interceptor patches (the first one found is used for each). */
  readonly packageNames: readonly string[];
  /** Patch a loaded module: the CommonJS exports object or the ESM namespace. */
  patchModule(moduleExports: unknown, env: InterceptorEnv): PatchSet | undefined;
  /** Patch one client instance (or class) handed to `instrument()`; false when it is not this SDK's. */
  instrumentClient?(client: unknown, env: InterceptorEnv): PatchSet | undefined;
}

import type { PatchSet } from "./wrap.js";
