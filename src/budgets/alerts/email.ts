import { createRequire } from "node:module";
import { TokenLedgerConfigError } from "../../core/errors.js";
import type { AlertChannel, BudgetAlert } from "./channel.js";
import { alertText } from "./slack.js";

export interface EmailChannelOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure?: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  readonly from: string;
  readonly to: readonly string[];
  readonly name?: string;
  /** Only for test servers with self-signed certificates. */
  readonly rejectUnauthorized?: boolean;
}

interface Transport {
  sendMail(m: { from: string; to: string; subject: string; text: string }): Promise<unknown>;
}
interface Nodemailer {
  createTransport(o: Record<string, unknown>): Transport;
}

/** nodemailer is an optional peer: loaded on the first e-mail. */
function loadNodemailer(): Nodemailer {
  try {
    return createRequire(import.meta.url)("nodemailer") as Nodemailer;
  } catch (err) {
    throw new TokenLedgerConfigError('e-mail alerts need the "nodemailer" package: npm install nodemailer', {
      cause: err,
    });
  }
}

export function emailChannel(o: EmailChannelOptions): AlertChannel {
  if (!o.host) throw new TokenLedgerConfigError("email.host: give the SMTP server");
  if (!Number.isInteger(o.port) || o.port <= 0)
    throw new TokenLedgerConfigError("email.port: give a TCP port");
  if (!o.from || o.to.length === 0) throw new TokenLedgerConfigError("email.from / email.to: give both");
  let transport: Transport | undefined;
  return {
    name: o.name ?? "email",
    async send(alert: BudgetAlert) {
      transport ??= loadNodemailer().createTransport({
        host: o.host,
        port: o.port,
        secure: o.secure === true,
        ...(o.auth ? { auth: { user: o.auth.user, pass: o.auth.pass } } : {}),
        ...(o.rejectUnauthorized === false ? { tls: { rejectUnauthorized: false } } : {}),
      });
      const what = alert.blocked ? "blocked a call" : `at ${alert.threshold}%`;
      await transport.sendMail({
        from: o.from,
        to: o.to.join(", "),
        subject: `[tokenledger] budget ${alert.budget_id} ${what}`,
        text: `${alertText(alert)}\n\n${JSON.stringify(alert, null, 2)}\n`,
      });
    },
  };
}
