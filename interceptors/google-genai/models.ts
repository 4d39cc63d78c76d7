import type { InterceptorEnv } from "../_shared/types.js";
import { PatchSet } from "../_shared/wrap.js";
import type { GenAiTarget } from "./call-start.js";
import { wrapPublicStream, wrapRequestStream } from "./stream.js";
import { embedOutcome, generateOutcome, wrapPublicUnary, wrapRequestUnary } from "./unary.js";

const PACKAGE = "@google/genai";

/**
 * Patch one `Models` instance. Its public methods are per-instance arrow functions (prototype patching does
 * nothing), so each slot is replaced on the instance; restoring puts the SDK's own functions back.
 */
export function patchModels(models: object, env: InterceptorEnv, provider: () => string): PatchSet {
  const set = new PatchSet();
  const m = models as Record<string, unknown>;
  const perRequestPatched =
    typeof m.generateContentInternal === "function" && typeof m.generateContentStreamInternal === "function";
  if (!perRequestPatched) {
    env.warnOnce(
      `${PACKAGE}:internal`,
      `${PACKAGE}: Models.generateContentInternal not found; each automatic-function-calling loop is recorded as its last request only`,
    );
  }
  const target: GenAiTarget = { provider, perRequestPatched };
  wrapOrWarn(
    set,
    m,
    "generateContent",
    wrapPublicUnary(env, target, "generate_content", generateOutcome),
    env,
  );
  wrapOrWarn(set, m, "generateContentStream", wrapPublicStream(env, target), env);
  wrapOrWarn(set, m, "embedContent", wrapPublicUnary(env, target, "embeddings", embedOutcome), env);
  if (perRequestPatched) {
    set.wrap(m, "generateContentInternal", wrapRequestUnary(env));
    set.wrap(m, "generateContentStreamInternal", wrapRequestStream(env));
  }
  return set;
}

/** `gemini` for the Gemini API, `vertex` when the client talks to Vertex AI. */
export function providerOf(client: unknown, models: unknown): () => string {
  return () => {
    const flag = (client as { vertexai?: unknown } | null)?.vertexai;
    if (typeof flag === "boolean") return flag ? "vertex" : "gemini";
    const api = (models as { apiClient?: { isVertexAI?: () => unknown } } | null)?.apiClient;
    return typeof api?.isVertexAI === "function" && api.isVertexAI() === true ? "vertex" : "gemini";
  };
}

export function isModels(value: unknown): value is object {
  const m = value as Record<string, unknown> | null;
  return (
    !!m &&
    typeof m === "object" &&
    typeof m.generateContent === "function" &&
    typeof m.generateContentStream === "function"
  );
}

type Factory = Parameters<PatchSet["wrap"]>[2];

function wrapOrWarn(
  set: PatchSet,
  models: Record<string, unknown>,
  name: string,
  factory: Factory,
  env: InterceptorEnv,
): void {
  if (typeof models[name] !== "function") {
    env.warnOnce(
      `${PACKAGE}:Models.${name}`,
      `${PACKAGE}: models.${name} not found; those calls are not tracked`,
    );
    return;
  }
  set.wrap(models, name, factory);
}
