import type { InterceptorDefinition, InterceptorEnv } from "../_shared/types.js";
import { reportSafely } from "../_shared/guard.js";
import { PatchSet } from "../_shared/wrap.js";
import { Installation, isSmithyClient } from "./install.js";

/**
 * `@aws-sdk/client-bedrock-runtime`: Converse, ConverseStream, InvokeModel, InvokeModelWithResponseStream.
 * Every operation goes through `client.send()` (the aggregated `BedrockRuntime` methods too), so
 * `BedrockRuntimeClient.prototype.send` is wrapped to add one recording middleware to each client before
 * its first tracked call; the middleware does the observing (see middleware.ts).
 */
export const bedrockInterceptor: InterceptorDefinition = {
  id: "bedrock",
  packageNames: ["@aws-sdk/client-bedrock-runtime"],
  patchModule(moduleExports, env) {
    const ClientClass = exported(moduleExports, "BedrockRuntimeClient");
    const proto = (ClientClass as { prototype?: unknown } | undefined)?.prototype;
    if (!proto || typeof (proto as { send?: unknown }).send !== "function") {
      if (exported(moduleExports, "ConverseCommand") !== undefined) {
        env.warnOnce(
          "bedrock:send",
          "@aws-sdk/client-bedrock-runtime: BedrockRuntimeClient.prototype.send not found; Bedrock calls are not tracked",
        );
      }
      return undefined;
    }
    return patchClientClass(proto as object, env);
  },
  instrumentClient(client, env) {
    if (isSmithyClient(client) && isBedrockRuntimeConfig((client as { config?: unknown }).config)) {
      const installation = new Installation(env);
      const set = new PatchSet();
      installation.install(client);
      set.onRestore(() => installation.restore());
      return set;
    }
    // The class itself (names survive only unminified; otherwise pass the module or an instance).
    if (typeof client === "function" && /^BedrockRuntime(Client)?$/.test(client.name)) {
      const proto = (client as { prototype?: { send?: unknown } }).prototype;
      if (proto && typeof proto.send === "function") return patchClientClass(proto, env);
    }
    return undefined;
  },
};

function patchClientClass(proto: object, env: InterceptorEnv): PatchSet {
  const installation = new Installation(env);
  const set = new PatchSet();
  const wrapped = set.wrap(
    proto,
    "send",
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const sink = env.sink();
        if (!sink) return original.apply(this, args);
        try {
          installation.install(this);
        } catch (err) {
          reportSafely(sink, "bedrock-install", err);
        }
        return original.apply(this, args);
      },
  );
  if (wrapped) set.onRestore(() => installation.restore());
  return set;
}

/** A named export of the CommonJS exports object or the ESM namespace (named, or under `default`). */
function exported(mod: unknown, name: string): unknown {
  if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return undefined;
  const direct = (mod as Record<string, unknown>)[name];
  if (direct !== undefined) return direct;
  const def = (mod as { default?: unknown }).default;
  return def !== null && (typeof def === "object" || typeof def === "function")
    ? (def as Record<string, unknown>)[name]
    : undefined;
}

function isBedrockRuntimeConfig(config: unknown): boolean {
  return (config as { serviceId?: unknown } | null)?.serviceId === "Bedrock Runtime";
}
