import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

const SPAN = 256;

/**
 * Hash of the (up to) 256 bytes just before `offset`: stored with a file's import offset, it tells a file that
 * was appended to (same bytes, read on from the offset) from one rewritten or replaced (read again from 0).
 */
export async function fingerprintAt(path: string, offset: number): Promise<string> {
  const from = Math.max(0, offset - SPAN);
  const buf = Buffer.alloc(offset - from);
  const handle = await open(path, "r");
  try {
    const { bytesRead } = await handle.read(buf, 0, buf.length, from);
    return createHash("sha256")
      .update(buf.subarray(0, bytesRead))
      .update(String(offset))
      .digest("hex")
      .slice(0, 32);
  } finally {
    await handle.close();
  }
}
