const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CONTENT = Buffer.from('"content":[');

/**
 * Parse one JSON line with its first `"content":[...]` array replaced by `[]`. An importer that reads only usage,
 * ids and timestamps never looks at message content, which is most of an assistant line's bytes (text, thinking,
 * tool input); skipping it (strings are jumped with a native search for the closing quote) makes the parse a
 * fraction of the cost. Every other field parses exactly as `JSON.parse` would. Throws like `JSON.parse` on a
 * malformed line.
 */
export function parseWithoutContent(bytes: Buffer, start: number, stop: number): unknown {
  const at = bytes.indexOf(CONTENT, start);
  if (at !== -1 && at < stop) {
    const open = at + CONTENT.length - 1;
    const close = skipValue(bytes, open, stop);
    if (close !== -1)
      return JSON.parse(`${bytes.toString("utf8", start, open)}[]${bytes.toString("utf8", close, stop)}`);
  }
  return JSON.parse(bytes.toString("utf8", start, stop));
}

/** End (exclusive) of the array or object opening at `open`, or -1 when it does not close before `stop`. */
function skipValue(bytes: Buffer, open: number, stop: number): number {
  let depth = 0;
  for (let i = open; i < stop; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) {
      i = closingQuote(bytes, i + 1, stop);
      if (i === -1) return -1;
    } else if (c === 0x5b || c === 0x7b) depth += 1;
    else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Index of the quote that closes a string whose first character is at `from`. */
function closingQuote(bytes: Buffer, from: number, stop: number): number {
  for (let j = from; ;) {
    const q = bytes.indexOf(QUOTE, j);
    if (q === -1 || q >= stop) return -1;
    let k = q - 1;
    while (bytes[k] === BACKSLASH) k -= 1;
    if ((q - 1 - k) % 2 === 0) return q;
    j = q + 1;
  }
}
