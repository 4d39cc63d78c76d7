import { useInput, type Key } from "ink";
import { useCallback, useRef } from "react";

/**
 * `useInput` with a handler whose identity never changes. Ink re-subscribes to stdin whenever the handler
 * changes (every render with an inline function), and keys that arrive in between are lost: fast typing of
 * an API key dropped characters. The latest handler is read through a ref instead.
 */
export function useStableInput(
  handler: (input: string, key: Key) => void,
  options?: { isActive?: boolean },
): void {
  const ref = useRef(handler);
  ref.current = handler;
  const stable = useCallback((input: string, key: Key) => ref.current(input, key), []);
  useInput(stable, options);
}
