export { handleOtlpRequest, otlpSignalOf, type OtlpReceiverDeps } from "./handler.js";
export { createOtlpServer } from "./server.js";
export { providerRequestEventId } from "../../core/live-calls.js";
export { OTLP_SOURCE } from "./claude-code-events.js";
export { DEFAULT_MAX_BODY_BYTES } from "./body.js";
