import type { LedgerEvent } from "../core/event.js";
import type { Pricer } from "../core/pricer.js";
import { Dec, ZERO, formatUsd } from "./decimal.js";

/**
 * What repricing stored events with the current prices would change: each event priced again at its own time
 * with the price in force then. Costs the caller or an agent log provided are kept; events an override priced
 * are repriced only from the overrides; events without a usable token count are left alone.
 */
export interface RepriceOptions {
  /** Only events whose model matches this pattern (`*` matches any run of characters; case-insensitive). */
  readonly model?: string;
  /** Called with the repriced version of each event that changes (cost, pricing key and unpriced flag updated). */
  readonly onChange?: (repriced: LedgerEvent) => void;
}

export interface RepriceModelChange {
  readonly provider: string;
  readonly model: string;
  readonly events: number;
  readonly beforeUsd: string;
  readonly afterUsd: string;
  /** Events that had no price and now have one. */
  readonly newlyPriced: number;
}

export interface RepricePlan {
  readonly scanned: number;
  /** Events whose cost or pricing key would change. */
  readonly changed: number;
  /** Provided costs, kept as they are. */
  readonly keptProvided: number;
  readonly beforeUsd: string;
  readonly afterUsd: string;
  readonly newlyPriced: number;
  /** Per model, largest change first. */
  readonly models: readonly RepriceModelChange[];
}

export function modelPattern(pattern: string): RegExp {
  const body = pattern
    .split("*")
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "i");
}

/** Per-model before/after of the events whose cost or price key changed. */
interface ModelChange {
  provider: string;
  model: string;
  events: number;
  before: Dec;
  after: Dec;
  newlyPriced: number;
}

export async function planReprice(
  events: AsyncIterable<LedgerEvent>,
  pricer: Pricer,
  options: RepriceOptions = {},
): Promise<RepricePlan> {
  const match = options.model ? modelPattern(options.model) : undefined;
  const t = { scanned: 0, changed: 0, keptProvided: 0, newlyPriced: 0, before: ZERO, after: ZERO };
  const models = new Map<string, ModelChange>();
  for await (const e of events) {
    if (match && !match.test(e.model) && !(e.requestedModel && match.test(e.requestedModel))) continue;
    t.scanned += 1;
    const old = e.costUsd === null ? ZERO : new Dec(e.costUsd);
    t.before = t.before.plus(old);
    const next = repriceOne(e, pricer);
    if (next === "provided") t.keptProvided += 1;
    // "keep" (no usage to price, or an override-priced event with no override now) and "provided" (the provider's own
    // figure) leave the stored cost as it is.
    const cost = next === "keep" || next === "provided" ? e.costUsd : next.costUsd;
    const key = next === "keep" || next === "provided" ? e.pricingKey : next.pricingKey;
    const nextDec = cost === null ? ZERO : new Dec(cost);
    t.after = t.after.plus(nextDec);
    if (sameCost(cost, e.costUsd) && key === e.pricingKey) continue;
    t.changed += 1;
    options.onChange?.({ ...e, costUsd: cost, pricingKey: key, unpriced: cost === null });
    const m = modelEntry(models, e);
    m.events += 1;
    m.before = m.before.plus(old);
    m.after = m.after.plus(nextDec);
    if (e.costUsd === null && cost !== null) {
      m.newlyPriced += 1;
      t.newlyPriced += 1;
    }
  }
  return {
    scanned: t.scanned,
    changed: t.changed,
    keptProvided: t.keptProvided,
    beforeUsd: formatUsd(t.before),
    afterUsd: formatUsd(t.after),
    newlyPriced: t.newlyPriced,
    models: modelRows(models),
  };
}

function modelEntry(models: Map<string, ModelChange>, e: LedgerEvent): ModelChange {
  const id = `${e.provider}\u0000${e.model}`;
  let m = models.get(id);
  if (!m) {
    m = { provider: e.provider, model: e.model, events: 0, before: ZERO, after: ZERO, newlyPriced: 0 };
    models.set(id, m);
  }
  return m;
}

/** Largest change first (either direction): what a reviewer should look at before `--apply`. */
function modelRows(models: Map<string, ModelChange>): RepricePlan["models"] {
  return [...models.values()]
    .sort((a, b) => b.after.minus(b.before).abs().comparedTo(a.after.minus(a.before).abs()))
    .map((m) => ({
      provider: m.provider,
      model: m.model,
      events: m.events,
      beforeUsd: formatUsd(m.before),
      afterUsd: formatUsd(m.after),
      newlyPriced: m.newlyPriced,
    }));
}

/** Equal amounts in any notation ("1.25" and "1.250000000000" from a numeric column) are the same cost. */
function sameCost(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return a === b || new Dec(a).equals(new Dec(b));
}

function repriceOne(
  e: LedgerEvent,
  pricer: Pricer,
): "keep" | "provided" | { costUsd: string | null; pricingKey: string | null } {
  if (e.pricingKey === "provided") return "provided";
  if (e.pricingKey === "no-usage") return "keep"; // a failed call without usage costs 0 whatever the price (event-builder)
  if (e.usageSource === "invalid" || e.usageSource === "missing") return "keep";
  const priced = pricer.price({
    provider: e.provider,
    model: e.model,
    requestedModel: e.requestedModel,
    usage: e.usage,
    serviceTier: e.serviceTier,
    batch: e.batch,
    at: e.timestamp,
  });
  // Override-priced events are repriced only from the overrides.
  if (e.pricingKey?.startsWith("override:") && !priced.pricingKey?.startsWith("override:")) return "keep";
  return priced.costUsd === null ? { costUsd: null, pricingKey: null } : priced;
}
