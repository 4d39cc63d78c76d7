import type { Alert } from "../api-types.js";
import { fill, h } from "../dom.js";
import { formatUsd } from "../money.js";
import type { Panel } from "./context.js";

/** Budget alerts not acknowledged yet; "Ack" acknowledges one (a CSRF-protected write) and reloads the list. */
export const alertsPanel: Panel = async (section, ctx) => {
  const { alerts } = await ctx.api.get<{ alerts: Alert[] }>("/alerts", { acked: "false" });
  const status = h("p", { class: "muted", role: "status" });
  const canAck = ctx.principal.role === "admin" || ctx.principal.role === "manager";
  const ack = async (alert: Alert, button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      await ctx.api.post("/alerts/ack", { ids: [alert.id] });
      await alertsPanel(section, ctx);
    } catch (err) {
      button.disabled = false;
      status.textContent = `Could not acknowledge: ${(err as Error).message}`;
    }
  };
  fill(
    section,
    h("h2", null, "Alerts"),
    alerts.length === 0 ? h("p", { class: "empty", "data-testid": "no-alerts" }, "No open alerts.") : null,
    h(
      "ul",
      { class: "alerts" },
      alerts.map((a) => {
        // Acknowledging is for admins and managers; other roles see the alerts without the button.
        const button = canAck ? h("button", { type: "button", class: "ack" }, "Ack") : null;
        button?.addEventListener("click", () => void ack(a, button));
        return h(
          "li",
          { class: "alert", "data-testid": "alert", "data-alert-id": a.id },
          h("strong", null, `Budget ${a.budgetId} passed ${a.threshold}%`),
          a.periodKey ? h("span", { class: "muted" }, ` (${a.periodKey})`) : null,
          h("span", null, ` ${formatUsd(a.spentUsd)} of ${formatUsd(a.limitUsd)}`),
          a.firedAt
            ? h("span", { class: "muted" }, ` · ${a.firedAt.replace("T", " ").slice(0, 16)} UTC`)
            : null,
          button,
        );
      }),
    ),
    status,
  );
};
