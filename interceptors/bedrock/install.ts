import type { InterceptorEnv } from "../_shared/types.js";
import { recordingMiddleware, type Middleware, type PatchState } from "./middleware.js";

export const MIDDLEWARE_NAME = "tokenledgerBedrockUsage";
// Shared by every copy of tokenledger (ESM and CJS builds): a client gets one recording middleware.
const INSTALLED = Symbol.for("tokenledger.bedrock.installed");

interface MiddlewareStackLike {
  add(
    mw: Middleware,
    options: { step: "initialize"; priority: "high"; name: string; override: boolean; tags?: string[] },
  ): void;
  remove(toRemove: string): boolean;
}

interface ClientLike {
  middlewareStack: MiddlewareStackLike;
  /** `cacheMiddleware: true` caches a resolved handler per command class here; dropped so ours is included. */
  handlers?: unknown;
  [INSTALLED]?: PatchState;
}

export function isSmithyClient(value: unknown): value is ClientLike {
  const stack = (value as { middlewareStack?: Partial<MiddlewareStackLike> } | null)?.middlewareStack;
  return (
    typeof stack?.add === "function" &&
    typeof stack.remove === "function" &&
    typeof (value as { send?: unknown }).send === "function"
  );
}

/** The clients one patch reached, to take the middleware out again on restore. */
export class Installation {
  readonly state: PatchState;
  readonly #clients = new Set<WeakRef<ClientLike>>();

  constructor(env: InterceptorEnv) {
    this.state = { env, active: true };
  }

  /** Add the recording middleware to this client unless a live patch already did (idempotent, cheap). */
  install(client: unknown): void {
    if (!this.state.active || !isSmithyClient(client)) return;
    const current = client[INSTALLED];
    if (current === this.state || current?.active) return;
    client.middlewareStack.add(recordingMiddleware(this.state), {
      step: "initialize",
      priority: "high",
      name: MIDDLEWARE_NAME,
      override: true,
      tags: ["TOKENLEDGER"],
    });
    Object.defineProperty(client, INSTALLED, {
      value: this.state,
      configurable: true,
      enumerable: false,
      writable: true,
    });
    delete client.handlers;
    this.#clients.add(new WeakRef(client));
  }

  restore(): void {
    this.state.active = false;
    for (const ref of this.#clients) {
      const client = ref.deref();
      if (!client || client[INSTALLED] !== this.state) continue;
      client.middlewareStack.remove(MIDDLEWARE_NAME);
      delete client[INSTALLED];
      delete client.handlers;
    }
    this.#clients.clear();
  }
}
