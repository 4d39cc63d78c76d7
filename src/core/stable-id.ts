import { createHash } from "node:crypto";

/**
 * A UUID-shaped id derived from the parts (name-based, version 5 layout over SHA-256), so re-importing
 * the same message yields the same id and the storage's idempotent insert skips it.
 */
export function stableEventId(agent: string, ...parts: readonly string[]): string {
  const hex = createHash("sha256")
    .update([agent, ...parts].join("\u0000"))
    .digest("hex");
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
