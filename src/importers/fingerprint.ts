import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

const SPAN = 256;

/**
 * Hash of the first and the last (up to) 256 bytes before `offset`: stored with a file's import offset, it tells
 * a file that was appended to (read on from the offset) from one rewritten or replaced (read again from 0).
 * Agents only append to their logs; an edit in the middle of a file would go unnoticed.
 */
export async function fingerprintAt(path: string, offset: number): Promise<string> {
  const handle = await open(path, "r");
  try {
    const hash = createHash("sha256").update(String(offset));
    for (const from of [0, Math.max(0, offset - SPAN)]) {
      const buf = Buffer.alloc(Math.min(SPAN, offset - from));
      const { bytesRead } = await handle.read(buf, 0, buf.length, from);
      hash.update(buf.subarray(0, bytesRead));
    }
    return hash.digest("hex").slice(0, 32);
  } finally {
    await handle.close();
  }
}
