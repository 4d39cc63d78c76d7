import { stableEventId } from "../../importers/stable-id.js";

/**
 * The ledger id of one provider call known by the provider's request id (Anthropic's `request-id` response
 * header, which Claude Code also reports as `request_id` in its `api_request` event). The proxy and the OTLP
 * receiver both use this rule, so a call seen by both lands once: the storage's idempotent insert skips the second.
 */
export function providerRequestEventId(provider: string, requestId: string): string {
  return stableEventId(provider, "request", requestId);
}
