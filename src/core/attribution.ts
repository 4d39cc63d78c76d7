import { ATTRIBUTION_FIELDS, ATTRIBUTION_KEYS, type AttributionKey } from "./attribution-fields.js";

export { ATTRIBUTION_KEYS, type AttributionKey };

/**
 * Who caused a call. Every field is optional; nested scopes merge, the inner value winning. The fields are the
 * keys of ATTRIBUTION_FIELDS (userId, teamId, projectId, feature, costCenter, sessionId, traceId, environment, app).
 */
export interface Attribution extends Readonly<Partial<Record<AttributionKey, string>>> {
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** The attribution of a stored event: every field, null when the caller gave none. */
export type AttributionValues = { readonly [K in AttributionKey]: string | null };

/** Every attribution field of `a` as stored: empty strings count as missing. */
export function attributionValues(a: Attribution): AttributionValues {
  return Object.fromEntries(
    ATTRIBUTION_FIELDS.map((f) => {
      const v = a[f.key];
      return [f.key, typeof v === "string" && v.length > 0 ? v : null];
    }),
  ) as AttributionValues;
}

/** Merge two scopes: `inner` wins per field, metadata merges key by key. */
export function mergeAttribution(
  outer: Attribution | undefined,
  inner: Attribution | undefined,
): Attribution {
  if (!outer) return inner ?? {};
  if (!inner) return outer;
  const metadata = outer.metadata || inner.metadata ? { ...outer.metadata, ...inner.metadata } : undefined;
  return { ...outer, ...inner, ...(metadata ? { metadata } : {}) };
}
