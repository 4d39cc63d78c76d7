// TEMPORARY stub so the package loads while this interceptor is being written; replace entirely.
import type { InterceptorDefinition } from "../_shared/types.js";
export const anthropicInterceptor: InterceptorDefinition = { id: "anthropic", packageNames: [], patchModule: () => undefined };
