import type { Budget, BudgetStatusView } from "../api-types.js";
import { fill, h } from "../dom.js";
import { formatUsd } from "../money.js";
import type { Panel } from "./context.js";
import { shareBar } from "./top-lists.js";

/** Every budget in scope with its current period's progress, and the forecast when the server has one. */
export const budgetsPanel: Panel = async (section, { api }) => {
  const list = await api.get<{ budgets: Budget[] } | Budget[]>("/budgets");
  const budgets = Array.isArray(list) ? list : list.budgets;
  const statuses = await Promise.all(
    budgets.map((b) => api.get<BudgetStatusView>(`/budgets/${encodeURIComponent(b.id)}/status`)),
  );
  fill(
    section,
    h("h2", null, "Budgets"),
    statuses.length === 0 ? h("p", { class: "empty" }, "No budgets set.") : null,
    h(
      "div",
      { class: "budgets" },
      statuses.map((s) => {
        const b = s.budget;
        const over = s.percentUsed >= 100;
        return h(
          "div",
          { class: over ? "budget over" : "budget", "data-testid": `budget-${b.id}` },
          h(
            "div",
            { class: "budget-head" },
            h("strong", null, b.scope === "org" ? "Organization" : `${b.scope} ${b.scopeId}`),
            h("span", { class: "muted" }, ` · ${b.period} · ${b.action}`),
          ),
          shareBar(Math.min(1, s.percentUsed / 100)),
          h(
            "div",
            { class: "budget-figures" },
            h("span", { "data-value": s.spentUsd }, formatUsd(s.spentUsd)),
            ` of ${formatUsd(b.amountUsd)} (${s.percentUsed.toFixed(1)}%)`,
            s.reservedUsd !== "0" ? ` · ${formatUsd(s.reservedUsd)} reserved` : null,
            ` · ${formatUsd(s.remainingUsd)} left until ${s.periodEnd.slice(0, 10)}`,
          ),
          s.forecastUsd
            ? h(
                "div",
                { class: "muted" },
                `Forecast for the period: ${formatUsd(s.forecastUsd)}`,
                s.forecast?.lowUsd && s.forecast.highUsd
                  ? ` (80%: ${formatUsd(s.forecast.lowUsd)} – ${formatUsd(s.forecast.highUsd)})`
                  : null,
              )
            : null,
        );
      }),
    ),
  );
};
