import type { Principal } from "./schemas/principal.js";

/** The audit trail's actor for an API caller: the key id (and its name, for people reading the log). */
export const actorOf = (p: Principal): string => `key:${p.id}`;
