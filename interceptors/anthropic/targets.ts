import { asRecord } from "./message-usage.js";

/** A prototype (or object) whose `create` sends `POST /v1/messages`. */
export interface MessagesTarget {
  readonly label: "messages" | "beta.messages";
  readonly holder: object | undefined;
}

/**
 * Find the `Messages` and `Beta.Messages` classes from what the user or the loader hands us:
 * the CommonJS exports object, the ESM namespace (`Anthropic` and/or `default`), the `Anthropic` class itself,
 * or a client instance. Returns undefined when the value is not this SDK's.
 */
export function findMessagesTargets(value: unknown): MessagesTarget[] | undefined {
  const client = clientClassOf(value);
  if (client) {
    const statics = client as Record<string, unknown>;
    const beta = statics.Beta;
    return [
      { label: "messages", holder: prototypeOf(statics.Messages) },
      {
        label: "beta.messages",
        holder: prototypeOf(typeof beta === "function" ? propsOf(beta).Messages : undefined),
      },
    ];
  }
  if (isClientInstance(value)) {
    const instance = asRecord(value);
    return [
      { label: "messages", holder: Object.getPrototypeOf(instance.messages) as object },
      { label: "beta.messages", holder: objectPrototypeOf(asRecord(instance.beta).messages) },
    ];
  }
  return undefined;
}

/** The `Anthropic` client class: a function carrying the `Messages` resource class as a static. */
function clientClassOf(value: unknown): object | undefined {
  // The CommonJS exports of this SDK are themselves a function carrying the named exports.
  const v = propsOf(value);
  for (const candidate of [value, v.Anthropic, v.default, propsOf(v.default).Anthropic]) {
    if (typeof candidate !== "function") continue;
    const statics = candidate as unknown as Record<string, unknown>;
    if (
      typeof statics.Messages === "function" ||
      typeof statics.Beta === "function" ||
      candidate.name === "Anthropic"
    ) {
      return candidate;
    }
  }
  return undefined;
}

/** A client instance: `messages.create` next to `messages.countTokens` is this SDK's resource signature. */
function isClientInstance(value: unknown): boolean {
  const messages = asRecord(asRecord(value).messages);
  return typeof messages.create === "function" && typeof messages.countTokens === "function";
}

function propsOf(value: unknown): Record<string, unknown> {
  return typeof value === "function" ? (value as unknown as Record<string, unknown>) : asRecord(value);
}

function prototypeOf(cls: unknown): object | undefined {
  if (typeof cls !== "function") return undefined;
  const proto: unknown = (cls as { prototype?: unknown }).prototype;
  return proto !== null && typeof proto === "object" ? proto : undefined;
}

function objectPrototypeOf(instance: unknown): object | undefined {
  return instance !== null && typeof instance === "object"
    ? (Object.getPrototypeOf(instance) as object)
    : undefined;
}
