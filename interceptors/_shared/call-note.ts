/**
 * A hand-off between an intercepted call and a layer below the SDK method (tokenledger/failover's request
 * seam) that learns, later, which provider answered. The interceptor opens a note when its call starts; the
 * lower layer takes it during the same synchronous `create()` and fills it; the event reads it when it is
 * recorded. Kept on a global symbol so the root build and the `tokenledger/failover` build share it.
 */
export interface CallNote {
  /** The provider that answered, when it differs from the client's. */
  provider?: string;
  metadata?: Record<string, unknown>;
}

const KEY = Symbol.for("tokenledger.callNote");
const g = globalThis as typeof globalThis & { [KEY]?: { current: CallNote | null } };
const slot = (g[KEY] ??= { current: null });

/** Called as a call starts; the note is offered until the current synchronous turn ends. */
export function openCallNote(): CallNote {
  const note: CallNote = {};
  slot.current = note;
  queueMicrotask(() => {
    if (slot.current === note) slot.current = null;
  });
  return note;
}

/** Takes the note of the call being started right now, if an interceptor opened one. */
export function takeCallNote(): CallNote | null {
  const note = slot.current;
  slot.current = null;
  return note;
}
