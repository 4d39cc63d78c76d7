import { checkUrl, postJson, type AlertChannel, type BudgetAlert } from "./channel.js";

export interface SlackChannelOptions {
  /** Slack incoming-webhook URL. */
  readonly url: string;
  readonly name?: string;
  readonly allowInsecureHttp?: boolean;
  readonly timeoutMs?: number;
}

export function alertText(a: BudgetAlert): string {
  const what = a.blocked ? "blocked a call" : `reached ${a.threshold}%`;
  return `tokenledger budget ${a.budget_id} (${a.scope} ${a.scope_id}, ${a.period} ${a.period_key}) ${what}: $${a.spent_usd} of $${a.limit_usd} (${a.budget_percentage_used}% used), period ends ${a.period_end}`;
}

/** Slack incoming webhook: `{ text }` with plain `fetch`. */
export function slackChannel(o: SlackChannelOptions): AlertChannel {
  checkUrl("slack.url", o.url, o.allowInsecureHttp);
  return {
    name: o.name ?? "slack",
    send: (alert) => postJson(o.url, JSON.stringify({ text: alertText(alert) }), {}, o.timeoutMs ?? 10_000),
  };
}
