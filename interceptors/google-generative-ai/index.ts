import type { InterceptorDefinition, InterceptorEnv } from "../_shared/types.js";
import { PatchSet } from "../_shared/wrap.js";
import { embedOutcome, generateOutcome, wrapUnary } from "./unary.js";
import { wrapStream } from "./stream.js";

const PACKAGE = "@google/generative-ai";

type Proto = Record<string, unknown>;

/**
 * `@google/generative-ai` (legacy Gemini SDK). Methods live on prototypes; `ChatSession` calls the request
 * functions directly (not the model's methods), so both classes are patched and nothing is counted twice.
 */
export const googleGenerativeAiInterceptor: InterceptorDefinition = {
  id: "google-generative-ai",
  packageNames: [PACKAGE],
  patchModule(moduleExports, env) {
    const mod = moduleExports as {
      GenerativeModel?: unknown;
      ChatSession?: unknown;
      default?: unknown;
    } | null;
    const fallback = mod?.default as { GenerativeModel?: unknown; ChatSession?: unknown } | undefined;
    const model = prototypeOf(mod?.GenerativeModel ?? fallback?.GenerativeModel);
    const chat = prototypeOf(mod?.ChatSession ?? fallback?.ChatSession);
    if (!model && !chat) return undefined;
    const set = new PatchSet();
    if (model) patchModelPrototype(set, model, env);
    else
      env.warnOnce(
        `${PACKAGE}:GenerativeModel`,
        `${PACKAGE}: GenerativeModel is not exported; model calls are not tracked`,
      );
    if (chat) patchChatPrototype(set, chat, env);
    else
      env.warnOnce(
        `${PACKAGE}:ChatSession`,
        `${PACKAGE}: ChatSession is not exported; chat calls are not tracked`,
      );
    return set;
  },
  instrumentClient(client, env) {
    const protos = legacyPrototypes(client);
    if (!protos) return undefined;
    const set = new PatchSet();
    if (protos.model) patchModelPrototype(set, protos.model, env);
    if (protos.chat) patchChatPrototype(set, protos.chat, env);
    return set;
  },
};

function patchModelPrototype(set: PatchSet, proto: Proto, env: InterceptorEnv): void {
  wrapOrWarn(
    set,
    proto,
    "GenerativeModel",
    "generateContent",
    wrapUnary(env, "generate_content", generateOutcome),
    env,
  );
  wrapOrWarn(
    set,
    proto,
    "GenerativeModel",
    "generateContentStream",
    wrapStream(env, "generate_content"),
    env,
  );
  wrapOrWarn(set, proto, "GenerativeModel", "embedContent", wrapUnary(env, "embeddings", embedOutcome), env);
  wrapOrWarn(
    set,
    proto,
    "GenerativeModel",
    "batchEmbedContents",
    wrapUnary(env, "embeddings", embedOutcome),
    env,
  );
}

function patchChatPrototype(set: PatchSet, proto: Proto, env: InterceptorEnv): void {
  wrapOrWarn(
    set,
    proto,
    "ChatSession",
    "sendMessage",
    wrapUnary(env, "generate_content", generateOutcome),
    env,
  );
  wrapOrWarn(set, proto, "ChatSession", "sendMessageStream", wrapStream(env, "generate_content"), env);
}

type Factory = Parameters<PatchSet["wrap"]>[2];

function wrapOrWarn(
  set: PatchSet,
  proto: Proto,
  cls: string,
  name: string,
  factory: Factory,
  env: InterceptorEnv,
): void {
  if (typeof proto[name] !== "function") {
    env.warnOnce(
      `${PACKAGE}:${cls}.${name}`,
      `${PACKAGE}: ${cls}.prototype.${name} not found; those calls are not tracked`,
    );
    return;
  }
  set.wrap(proto, name, factory);
}

function prototypeOf(cls: unknown): Proto | undefined {
  if (typeof cls !== "function") return undefined;
  const proto = (cls as { prototype?: unknown }).prototype;
  return proto !== null && typeof proto === "object" ? (proto as Proto) : undefined;
}

/**
 * `instrument(x)` for this SDK: a `GoogleGenerativeAI`, a `GenerativeModel` (instance or class) or a
 * `ChatSession` instance. Patches the prototypes they come from, so every model and chat of that SDK copy
 * is covered. Models and chats are reached by constructing them, which has no side effects in this SDK.
 */
function legacyPrototypes(client: unknown): { model?: Proto; chat?: Proto } | undefined {
  if (client === null || (typeof client !== "object" && typeof client !== "function")) return undefined;
  const c = client as Record<string, unknown>;
  if (typeof client === "function") {
    const proto = prototypeOf(client);
    return proto && typeof proto.generateContentStream === "function" && typeof proto.startChat === "function"
      ? { model: proto, chat: chatPrototypeFrom(proto) }
      : undefined;
  }
  if (typeof c.getGenerativeModel === "function" && typeof c.generateContent !== "function") {
    const model = (c.getGenerativeModel as (p: { model: string }) => unknown).call(client, {
      model: "tokenledger-probe",
    });
    return isLegacyModel(model) ? modelAndChat(model) : undefined;
  }
  if (isLegacyModel(client)) return modelAndChat(client);
  if (typeof c.sendMessageStream === "function" && "_sendPromise" in c && !("modelsModule" in c)) {
    return { chat: Object.getPrototypeOf(client) as Proto };
  }
  return undefined;
}

function isLegacyModel(value: unknown): value is Record<string, unknown> {
  const m = value as Record<string, unknown> | null;
  return (
    !!m &&
    typeof m.generateContentStream === "function" &&
    typeof m.startChat === "function" &&
    typeof m.batchEmbedContents === "function"
  );
}

function modelAndChat(model: Record<string, unknown>): { model: Proto; chat?: Proto } {
  const proto = Object.getPrototypeOf(model) as Proto;
  return { model: proto, chat: chatPrototypeFrom(proto) };
}

function chatPrototypeFrom(modelProto: Proto): Proto | undefined {
  try {
    const probe = Object.create(modelProto) as { startChat: () => unknown };
    const chat = probe.startChat();
    return chat && typeof chat === "object" ? (Object.getPrototypeOf(chat) as Proto) : undefined;
  } catch {
    return undefined;
  }
}
