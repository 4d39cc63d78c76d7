import { z } from "zod";
import {
  ATTRIBUTION_KEYS,
  TokenLedgerConfigError,
  validateAttribution,
  type Attribution,
  type AttributionKey,
  type Logger,
} from "tokenledger";
import { ATTRIBUTION_FIELDS } from "../core/attribution-fields.js";

/** Request headers read by default, and the attribution field each one fills. */
export const DEFAULT_HEADERS: Readonly<Partial<Record<AttributionKey, string>>> = Object.freeze(
  Object.fromEntries(ATTRIBUTION_FIELDS.flatMap((f) => ("httpHeader" in f ? [[f.key, f.httpHeader]] : []))),
);

export interface MiddlewareOptions<Req> {
  /**
   * Attribution field → request header. Merged over the defaults (`x-user-id`, `x-team-id`, `x-project-id`,
   * `x-feature`, `x-cost-center`, `x-session-id`); `false` for a field stops reading it, `false` for the whole
   * option reads no header at all (use it when clients are not trusted to name themselves).
   */
  readonly headers?: false | Partial<Record<AttributionKey, string | false>>;
  /**
   * Attribution from the request itself, for example `req.user` after authentication. Wins over headers.
   * May return a promise. A throw or a malformed answer is counted in `stats().resolveErrors`, never thrown.
   */
  readonly resolve?: (req: Req) => Attribution | undefined | Promise<Attribution | undefined>;
  /** Fixed attribution for every request through this middleware (headers and `resolve` win over it). */
  readonly attribution?: Attribution;
  /** Put the route pattern and HTTP method into event metadata (`route`, `method`). Default true. */
  readonly routeMetadata?: boolean;
  /** Where warnings about dropped header values go; `false` silences them. Default: stderr. */
  readonly logger?: Logger | false;
}

/** Checked, ready-to-use options. */
export interface MiddlewareConfig<Req> {
  /** [attribution field, lower-case header name] pairs. */
  readonly headers: readonly (readonly [AttributionKey, string])[];
  readonly resolve: ((req: Req) => Attribution | undefined | Promise<Attribution | undefined>) | undefined;
  readonly attribution: Attribution | undefined;
  readonly routeMetadata: boolean;
  readonly logger: Logger | false;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/i; // an HTTP token (RFC 9110)
const fn = (message: string) => z.custom<unknown>((v) => typeof v === "function", { error: message });

function schema(extraKeys: readonly string[]) {
  return z
    .object({
      headers: z.unknown().optional(), // checked by headerPairs(), which names the exact entry
      resolve: fn("must be a function (req) => attribution").optional(),
      attribution: z.unknown().optional(),
      routeMetadata: z.boolean({ error: "must be true or false" }).optional(),
      logger: z
        .union(
          [
            z.literal(false),
            z.object({ warn: fn("must be a function"), error: fn("must be a function") }).loose(),
          ],
          {
            error: "must be false or an object with warn() and error()",
          },
        )
        .optional(),
      ...Object.fromEntries(extraKeys.map((k) => [k, z.unknown().optional()])),
    })
    .strict();
}

/**
 * Validate middleware options at setup time. Throws `TokenLedgerConfigError` naming the option and why.
 * `extraKeys` are keys the framework itself passes along (Fastify's `prefix`), accepted and ignored.
 */
export function checkMiddlewareOptions<Req>(
  options: unknown,
  where: string,
  extraKeys: readonly string[] = [],
): MiddlewareConfig<Req> {
  if (options === undefined) options = {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TokenLedgerConfigError(`${where}: options must be an object`);
  }
  const parsed = schema(extraKeys).safeParse(options);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => {
      if (issue.code === "unrecognized_keys") {
        const prefix = issue.path.length ? `${issue.path.join(".")}.` : "";
        return `unknown option ${issue.keys.map((k) => `"${prefix}${k}"`).join(", ")} (expected headers, resolve, attribution, routeMetadata, logger)`;
      }
      return `option "${issue.path.join(".") || "options"}" ${issue.message}`;
    });
    throw new TokenLedgerConfigError(`${where}: ${messages.join("; ")}`);
  }
  const o = parsed.data;
  const attribution =
    o.attribution === undefined
      ? undefined
      : validateAttribution(o.attribution, `${where}: option "attribution"`);
  return {
    headers: headerPairs(o.headers, where),
    resolve: o.resolve as MiddlewareConfig<Req>["resolve"],
    attribution,
    routeMetadata: o.routeMetadata ?? true,
    logger: (o.logger as Logger | false | undefined) ?? consoleWarnings,
  };
}

function headerPairs(headers: unknown, where: string): readonly (readonly [AttributionKey, string])[] {
  const fail = (message: string): never => {
    throw new TokenLedgerConfigError(`${where}: option ${message}`);
  };
  if (headers === false) return [];
  if (headers !== undefined && (headers === null || typeof headers !== "object" || Array.isArray(headers))) {
    fail(
      '"headers" must be false or a map of attribution field → header name, such as { userId: "x-account-id" }',
    );
  }
  const given = (headers ?? {}) as Record<string, unknown>;
  for (const [key, name] of Object.entries(given)) {
    if (!(ATTRIBUTION_KEYS as readonly string[]).includes(key)) {
      fail(`"headers.${key}" is not an attribution field (expected one of ${ATTRIBUTION_KEYS.join(", ")})`);
    }
    if (name !== false && typeof name !== "string") fail(`"headers.${key}" must be a header name or false`);
    if (typeof name === "string" && !HEADER_NAME.test(name))
      fail(`"headers.${key}" must be a valid HTTP header name`);
  }
  const merged = { ...DEFAULT_HEADERS, ...given } as Partial<Record<AttributionKey, string | false>>;
  const pairs: [AttributionKey, string][] = [];
  const seen = new Map<string, AttributionKey>();
  for (const key of ATTRIBUTION_KEYS) {
    const name = merged[key];
    if (!name) continue;
    const lower = name.toLowerCase(); // Node lower-cases incoming header names
    const other = seen.get(lower);
    if (other) fail(`"headers" maps both "${other}" and "${key}" to the header "${lower}"`);
    seen.set(lower, key);
    pairs.push([key, lower]);
  }
  return pairs;
}

const consoleWarnings: Logger = {
  warn: (m) => process.stderr.write(`[tokenledger] warn: ${m}\n`),
  error: (m) => process.stderr.write(`[tokenledger] error: ${m}\n`),
};
