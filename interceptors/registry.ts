import { createRequire } from "node:module";
import { join } from "node:path";
import type { InterceptorDefinition, InterceptorEnv } from "./_shared/types.js";
import type { PatchSet } from "./_shared/wrap.js";
import { openaiInterceptor } from "./openai/index.js";
import { anthropicInterceptor } from "./anthropic/index.js";
import { googleGenerativeAiInterceptor } from "./google-generative-ai/index.js";
import { googleGenAiInterceptor } from "./google-genai/index.js";
import { bedrockInterceptor } from "./bedrock/index.js";
import { requireEsmSync } from "./esm-require.js";

/** Every provider SDK tokenledger knows. One definition each; adding a provider means adding one entry. */
export const INTERCEPTORS: readonly InterceptorDefinition[] = [
  openaiInterceptor,
  anthropicInterceptor,
  googleGenerativeAiInterceptor,
  googleGenAiInterceptor,
  bedrockInterceptor,
];

export interface PatchedModule {
  readonly interceptor: string;
  readonly packageName: string;
  readonly format: "cjs" | "esm";
}

export interface InstrumentationReport {
  readonly patched: readonly PatchedModule[];
  /** Packages not installed (skipped quietly). */
  readonly skipped: readonly string[];
}

/**
 * Patches installed SDKs. The CommonJS build of each package is patched synchronously, and so is the ESM
 * build (a separate copy of every class) where the runtime can `require()` ES modules (Node 20.19+, 22.12+);
 * elsewhere the ESM build is patched asynchronously. Each copy is patched at most once.
 */
export class Instrumentation {
  readonly #env: InterceptorEnv;
  readonly #patches: { set: PatchSet; info: PatchedModule }[] = [];
  readonly #seen = new WeakSet<object>();
  readonly #skipped = new Set<string>();

  constructor(env: InterceptorEnv) {
    this.#env = env;
  }

  /** Patch the CommonJS (and, where possible, ESM) copies now; resolve when every ESM copy is patched. */
  enable(): Promise<InstrumentationReport> {
    const requirers = [createRequire(join(process.cwd(), "noop.js")), createRequire(import.meta.url)];
    const esmLoads: Promise<void>[] = [];
    for (const def of INTERCEPTORS) {
      for (const pkg of def.packageNames) {
        const cjs = loadCjs(requirers, pkg);
        if (cjs === undefined) {
          this.#skipped.add(pkg);
          continue;
        }
        this.#patch(def, pkg, cjs, "cjs");
        // The ESM copy, now where the runtime allows; the import() below is then a no-op (every slot is ours
        // already) unless a loader hook (tsx, …) handed require() a different copy than import() gets.
        const esm = requireEsmSync(pkg);
        if (esm !== undefined) this.#patch(def, pkg, esm, "esm");
        esmLoads.push(
          import(pkg).then(
            (ns: unknown) => this.#patch(def, pkg, ns, "esm"),
            () => undefined, // CJS-only package, or ESM entry unavailable
          ),
        );
      }
    }
    return Promise.all(esmLoads).then(() => this.report());
  }

  /** Patch one client instance or SDK module/class explicitly (bundlers, Next.js: no loader flags needed). */
  instrument(target: unknown): boolean {
    if (target === null || (typeof target !== "object" && typeof target !== "function")) return false;
    for (const def of INTERCEPTORS) {
      const set = def.instrumentClient?.(target, this.#env) ?? def.patchModule(target, this.#env);
      // A defined but empty set means "this SDK's object, already patched": still tracked.
      if (set) {
        if (set.size > 0) {
          this.#patches.push({
            set,
            info: { interceptor: def.id, packageName: def.packageNames[0] ?? def.id, format: "esm" },
          });
        }
        return true;
      }
    }
    return false;
  }

  report(): InstrumentationReport {
    return { patched: this.#patches.map((p) => p.info), skipped: [...this.#skipped] };
  }

  /** Restore every original method. */
  disable(): void {
    for (const p of this.#patches.splice(0)) p.set.restore();
  }

  #patch(def: InterceptorDefinition, pkg: string, mod: unknown, format: "cjs" | "esm"): void {
    if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return;
    if (this.#seen.has(mod as object)) return;
    this.#seen.add(mod as object);
    try {
      const set = def.patchModule(mod, this.#env);
      if (set && set.size > 0)
        this.#patches.push({ set, info: { interceptor: def.id, packageName: pkg, format } });
    } catch (err) {
      this.#env.warnOnce(
        `patch:${pkg}:${format}`,
        `could not patch ${pkg} (${format}): ${(err as Error).message}`,
      );
    }
  }
}

function loadCjs(requirers: NodeJS.Require[], pkg: string): unknown {
  for (const req of requirers) {
    try {
      return req(pkg);
    } catch {
      /* not installed from here */
    }
  }
  return undefined;
}
