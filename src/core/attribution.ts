/** Who caused a call. Every field is optional; nested scopes merge, the inner value winning. */
export interface Attribution {
  readonly userId?: string;
  readonly teamId?: string;
  readonly projectId?: string;
  readonly feature?: string;
  readonly costCenter?: string;
  readonly sessionId?: string;
  readonly traceId?: string;
  readonly environment?: string;
  readonly app?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export const ATTRIBUTION_KEYS = [
  "userId",
  "teamId",
  "projectId",
  "feature",
  "costCenter",
  "sessionId",
  "traceId",
  "environment",
  "app",
] as const satisfies readonly (keyof Attribution)[];

export type AttributionKey = (typeof ATTRIBUTION_KEYS)[number];

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
