import { z } from "zod";
import { TokenLedgerConfigError } from "../../core/errors.js";
import type { AlertChannel } from "./channel.js";
import { emailChannel } from "./email.js";
import { slackChannel } from "./slack.js";
import { webhookChannel } from "./webhook.js";

// Secrets (signing keys, Slack URLs, SMTP passwords) are named by environment variable, never written in the file.
const envName = z.string({ error: "must name an environment variable" }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/);
const name = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,40}$/, "use 1-40 letters, digits, . _ : -")
  .optional();

/**
 * `alerts:` in `tokenledger.config.yaml`: the channels budget alerts go to from `tokenledger proxy` and
 * `tokenledger serve --proxy` (the SDK passes `channels` to `BudgetGuard` itself).
 */
export const alertsConfigSchema = z
  .object({
    webhooks: z
      .array(
        z
          .object({ url: z.string(), secretEnv: envName, name, allowInsecureHttp: z.boolean().optional() })
          .strict(),
      )
      .optional(),
    slack: z
      .array(z.object({ urlEnv: envName, name, allowInsecureHttp: z.boolean().optional() }).strict())
      .optional(),
    email: z
      .array(
        z
          .object({
            host: z.string(),
            port: z.number().int().positive(),
            secure: z.boolean().optional(),
            from: z.string(),
            to: z.array(z.string()).min(1),
            userEnv: envName.optional(),
            passEnv: envName.optional(),
            name,
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export type AlertsConfig = z.output<typeof alertsConfigSchema>;

function fromEnv(field: string, variable: string, env: NodeJS.ProcessEnv): string {
  const v = env[variable];
  if (!v) throw new TokenLedgerConfigError(`${field}: environment variable ${variable} is not set`);
  return v;
}

/** The second and later channels of a kind get `-2`, `-3`: a channel's name is part of its alerts' claim key. */
const nth = (kind: string, i: number, given?: string) => given ?? (i === 0 ? kind : `${kind}-${i + 1}`);

/** The channels `alerts:` declares; a missing secret or a bad URL throws naming the field. */
export function channelsFromConfig(
  alerts: AlertsConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
): AlertChannel[] {
  if (!alerts) return [];
  const wrap = (field: string, make: () => AlertChannel): AlertChannel => {
    try {
      return make();
    } catch (e) {
      if (e instanceof TokenLedgerConfigError) throw e;
      throw new TokenLedgerConfigError(`${field}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const webhooks = (alerts.webhooks ?? []).map((w, i) =>
    wrap(`alerts.webhooks[${i}]`, () =>
      webhookChannel({
        url: w.url,
        secret: fromEnv(`alerts.webhooks[${i}].secretEnv`, w.secretEnv, env),
        name: nth("webhook", i, w.name),
        ...(w.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
      }),
    ),
  );
  const slack = (alerts.slack ?? []).map((s, i) =>
    wrap(`alerts.slack[${i}]`, () =>
      slackChannel({
        url: fromEnv(`alerts.slack[${i}].urlEnv`, s.urlEnv, env),
        name: nth("slack", i, s.name),
        ...(s.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
      }),
    ),
  );
  const email = (alerts.email ?? []).map((m, i) => {
    const f = `alerts.email[${i}]`;
    const auth =
      m.userEnv && m.passEnv
        ? { user: fromEnv(`${f}.userEnv`, m.userEnv, env), pass: fromEnv(`${f}.passEnv`, m.passEnv, env) }
        : undefined;
    const o = { host: m.host, port: m.port, from: m.from, to: m.to, name: nth("email", i, m.name) };
    return wrap(f, () =>
      emailChannel({ ...o, ...(m.secure ? { secure: true } : {}), ...(auth ? { auth } : {}) }),
    );
  });
  return [...webhooks, ...slack, ...email];
}
