import type { InterceptorDefinition } from "../_shared/types.js";
import { PatchSet } from "../_shared/wrap.js";
import { hookConstruction } from "./construction.js";
import { hookExistingClients } from "./existing-clients.js";
import { isModels, patchModels, providerOf } from "./models.js";

const PACKAGE = "@google/genai";

/**
 * `@google/genai` (current Gemini / Vertex AI SDK). `Models` methods are per-instance arrow functions, so
 * clients are patched as they are constructed (`patchModule`) or one by one (`instrument(ai)`). Chats call the
 * same `ai.models` instance and are therefore counted once.
 */
export const googleGenAiInterceptor: InterceptorDefinition = {
  id: "google-genai",
  packageNames: [PACKAGE],
  patchModule(moduleExports, env) {
    const mod = moduleExports as { GoogleGenAI?: unknown; default?: { GoogleGenAI?: unknown } } | null;
    const cls = mod?.GoogleGenAI ?? mod?.default?.GoogleGenAI;
    if (typeof cls !== "function") {
      if (mod && typeof mod === "object" && "Models" in mod) {
        env.warnOnce(
          `${PACKAGE}:GoogleGenAI`,
          `${PACKAGE}: GoogleGenAI is not exported; clients are not tracked (use instrument(client))`,
        );
      }
      return undefined;
    }
    const set = new PatchSet();
    hookConstruction(cls, env, set);
    hookExistingClients(moduleExports, env, set);
    return set;
  },
  instrumentClient(client, env) {
    if (client === null || (typeof client !== "object" && typeof client !== "function")) return undefined;
    const c = client as { models?: unknown; modelsModule?: unknown; name?: unknown };
    // The class itself: patch every client constructed from now on.
    if (typeof client === "function") {
      if (c.name !== "GoogleGenAI") return undefined;
      const set = new PatchSet();
      hookConstruction(client, env, set);
      return set;
    }
    if (isModels(c.models)) return patchModels(c.models, env, providerOf(client, c.models)); // a GoogleGenAI
    if (isModels(c.modelsModule))
      return patchModels(c.modelsModule, env, providerOf(undefined, c.modelsModule)); // a Chat
    if (isModels(client) && "apiClient" in c) return patchModels(client, env, providerOf(undefined, client)); // ai.models
    return undefined;
  },
};
