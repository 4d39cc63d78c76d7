import type { Api } from "../api.js";
import type { Principal } from "../api-types.js";
import type { Range } from "../range.js";

/** What every panel reads: the API client and the user's current choices. */
export interface ViewContext {
  readonly api: Api;
  /** Who is signed in: the role decides which actions are offered (the server enforces them anyway). */
  readonly principal: Principal;
  readonly range: Range;
  /** Spend trend stacked by this dimension. */
  readonly stackBy: "model" | "provider";
}

/** A panel renders its data into its own section; it rejects when its data cannot be loaded. */
export type Panel = (section: HTMLElement, ctx: ViewContext) => Promise<void>;
