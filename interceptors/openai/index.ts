import type { InterceptorDefinition, InterceptorEnv } from "../_shared/types.js";
import { PatchSet } from "../_shared/wrap.js";
import { OPERATIONS, type Operation } from "./operations.js";
import { trackedCreate } from "./patched-create.js";
import { followDerivedClients } from "../_shared/derived-clients.js";
import { instrumentRealtime, isRealtimeClient } from "./realtime.js";
import { findRealtimeEmitter, patchRealtimeEmitter, REALTIME_MODULES } from "./realtime-auto.js";
import { trackedRetrieve } from "./retrieve.js";

/**
 * The `openai` SDK (4.x–7.x): Chat Completions, Responses, Embeddings and legacy Completions, on OpenAI,
 * Azure OpenAI and OpenAI-compatible servers. `parse()`, `stream()`, `runTools()` and `responses.stream()`
 * all call `create`, so patching `create` counts each underlying request exactly once. Realtime sessions are
 * recorded through the Realtime base class (realtime-auto.ts), or per client with `instrument(rt)`.
 */
export const openaiInterceptor: InterceptorDefinition = {
  id: "openai",
  packageNames: ["openai", ...REALTIME_MODULES],
  patchModule: (moduleExports, env) => {
    const emitter = findRealtimeEmitter(moduleExports);
    if (emitter) return patchRealtimeEmitter(emitter, env);
    const OpenAI = findClientClass(moduleExports);
    if (!OpenAI) return undefined;
    return patchClass(OpenAI, env);
  },
  instrumentClient: (target, env) => {
    if (isRealtimeClient(target)) return instrumentRealtime(target, env);
    if (isClientClass(target)) return patchClass(target, env);
    if (isClientInstance(target)) return patchInstance(target, env);
    return undefined;
  },
};

type ClientClass = Function & Record<string, unknown>; // eslint-disable-line @typescript-eslint/no-unsafe-function-type

/** The `OpenAI` class from the CommonJS exports or the ESM namespace (named export or `default`). */
function findClientClass(mod: unknown): ClientClass | undefined {
  if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return undefined;
  const m = mod as Record<string, unknown>;
  const candidates = [m.OpenAI, (m.default as Record<string, unknown> | undefined)?.OpenAI, m.default, mod];
  return candidates.find(isClientClass);
}

function isClientClass(value: unknown): value is ClientClass {
  if (typeof value !== "function") return false;
  const c = value as unknown as Record<string, unknown>;
  return (
    typeof c.Chat === "function" || typeof c.Responses === "function" || typeof c.Embeddings === "function"
  );
}

function isClientInstance(value: unknown): value is Record<string, unknown> {
  const v = value as { chat?: { completions?: { create?: unknown } }; baseURL?: unknown } | null;
  return (
    !!v &&
    typeof v === "object" &&
    typeof v.chat?.completions?.create === "function" &&
    typeof v.baseURL === "string"
  );
}

/** Patch the resource prototypes reachable from the class: every client of this copy of the SDK is tracked. */
function patchClass(OpenAI: ClientClass, env: InterceptorEnv): PatchSet {
  const set = new PatchSet();
  for (const op of OPERATIONS) {
    const resource = walk(OpenAI, op.classPath) as { prototype?: object } | undefined;
    const proto = resource?.prototype;
    if (!proto || typeof (proto as Record<string, unknown>).create !== "function") {
      warnMissing(env, op);
      continue;
    }
    set.wrap(proto, "create", trackedCreate(op, env));
    if (op.name === "responses") wrapRetrieve(set, proto, env);
  }
  return set;
}

/** Background responses are completed by `retrieve` (see background.ts); absent on SDKs without it. */
function wrapRetrieve(set: PatchSet, target: object, env: InterceptorEnv): void {
  if (typeof (target as { retrieve?: unknown }).retrieve === "function")
    set.wrap(target, "retrieve", trackedRetrieve(env));
}

/**
 * Patch one client only (own properties on its resource objects); other clients stay untracked. Clients
 * derived with `withOptions()` are built fresh by the SDK, so each one is patched the same way as it is made.
 */
function patchInstance(client: Record<string, unknown>, env: InterceptorEnv): PatchSet {
  const set = patchResources(client, env);
  followDerivedClients(client, set, (derived) => patchInstance(derived, env));
  return set;
}

function patchResources(client: Record<string, unknown>, env: InterceptorEnv): PatchSet {
  const set = new PatchSet();
  const paths: Record<Operation["name"], readonly string[]> = {
    chat: ["chat", "completions"],
    completion: ["completions"],
    responses: ["responses"],
    embeddings: ["embeddings"],
  };
  for (const op of OPERATIONS) {
    const resource = walk(client, paths[op.name]) as Record<string, unknown> | undefined;
    if (!resource || typeof resource.create !== "function") {
      warnMissing(env, op);
      continue;
    }
    set.wrap(resource, "create", trackedCreate(op, env));
    if (op.name === "responses") wrapRetrieve(set, resource, env);
  }
  return set;
}

function walk(root: unknown, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || (typeof node !== "object" && typeof node !== "function")) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function warnMissing(env: InterceptorEnv, op: Operation): void {
  env.warnOnce(
    `openai:missing:${op.name}`,
    `tokenledger: openai SDK has no ${op.classPath.join(".")}.create; ${op.name} calls are not tracked (unsupported SDK version?)`,
  );
}
