// TEMPORARY stub so the package loads while this interceptor is being written; replace entirely.
import type { InterceptorDefinition } from "../_shared/types.js";
export const googleGenerativeAiInterceptor: InterceptorDefinition = { id: "google-generative-ai", packageNames: [], patchModule: () => undefined };
