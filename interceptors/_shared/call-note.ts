/**
 * A hand-off between an intercepted call and a layer below the SDK method (tokenledger/failover's request
 * seam) that learns, later, which provider answered. Only clients that layer marked take part: when a call on
 * such a client starts, the interceptor leaves a note on the client; the lower layer takes it during the same
 * synchronous `create()` and fills it; the event reads it when it is recorded. A global symbol, so the root
 * build and the `tokenledger/failover` build agree. Nothing happens for any other client.
 */
export interface CallNote {
  /** The provider that answered, when it differs from the client's. */
  provider?: string;
  metadata?: Record<string, unknown>;
}

const KEY = Symbol.for("tokenledger.callNote");
type Holder = { [KEY]?: CallNote | null };

/** Marks a client whose request layer takes call notes. */
export function acceptCallNotes(client: object): void {
  (client as Holder)[KEY] = null;
}

/** Called as an intercepted call starts: a note when the client takes notes, else null. */
export function openCallNote(client: unknown): CallNote | null {
  if (!client || typeof client !== "object" || !(KEY in client)) return null;
  const note: CallNote = {};
  (client as Holder)[KEY] = note;
  return note;
}

/** Takes the note of the call being started on this client right now, if an interceptor left one. */
export function takeCallNote(client: object): CallNote | null {
  const note = (client as Holder)[KEY] ?? null;
  if (note) (client as Holder)[KEY] = null;
  return note;
}
