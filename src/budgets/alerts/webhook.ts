import { createHmac, timingSafeEqual } from "node:crypto";
import { TokenLedgerConfigError } from "../../core/errors.js";
import { checkUrl, postJson, type AlertChannel, type BudgetAlert } from "./channel.js";

export interface WebhookChannelOptions {
  readonly url: string;
  /** HMAC-SHA256 key for `X-Tokenledger-Signature`. */
  readonly secret: string;
  readonly name?: string;
  readonly allowInsecureHttp?: boolean;
  readonly timeoutMs?: number;
}

export const SIGNATURE_HEADER = "x-tokenledger-signature";

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp is signed too, against replay. */
export function signBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/** Receiver side: true when the signature matches and is no older than `toleranceSec`. */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowSec = Math.floor(Date.now() / 1000),
  toleranceSec = 300,
): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSec - t) > toleranceSec || !parts.v1) return false;
  const expected = Buffer.from(signBody(secret, body, t).split("v1=")[1]!, "hex");
  const got = Buffer.from(parts.v1, "hex");
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export function webhookChannel(o: WebhookChannelOptions): AlertChannel {
  checkUrl("webhook.url", o.url, o.allowInsecureHttp);
  if (!o.secret) throw new TokenLedgerConfigError("webhook.secret: give a signing secret");
  return {
    name: o.name ?? "webhook",
    async send(alert: BudgetAlert) {
      const body = JSON.stringify(alert);
      const sig = signBody(o.secret, body, Math.floor(Date.now() / 1000));
      await postJson(o.url, body, { [SIGNATURE_HEADER]: sig }, o.timeoutMs ?? 10_000);
    },
  };
}
