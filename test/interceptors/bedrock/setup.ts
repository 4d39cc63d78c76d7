import { Decimal } from "decimal.js";
import type { LedgerEvent, Pricer, PriceRequest } from "tokenledger";
import { bedrockInterceptor } from "../../../interceptors/bedrock/index.js";
import type { InterceptorEnv, InterceptorOptions, UsageSink } from "../../../interceptors/_shared/types.js";
import type { PatchSet } from "../../../interceptors/_shared/wrap.js";
import { captureTracker } from "../../helpers/capture.js";
import { startBedrockServer, type BedrockServer } from "../../helpers/bedrock-server.js";
import * as bedrock from "@aws-sdk/client-bedrock-runtime";

// The SDK warns once that it will need Node 22 from 2027; not what these tests are about.
process.removeAllListeners("warning");

/** USD per 1M tokens, per model id: fixed rates so the cost assertions do not depend on the bundled catalog. */
/** `ain` / `aout`: audio (speech) token rates where they differ from text (Nova Sonic). */
export const RATES: Record<
  string,
  { in: string; read: string; w5m: string; w1h: string; out: string; ain?: string; aout?: string }
> = {
  "anthropic.claude-3-5-sonnet-20241022-v2:0": { in: "3", read: "0.30", w5m: "3.75", w1h: "6", out: "15" },
  "us.anthropic.claude-3-5-sonnet-20241022-v2:0": { in: "3", read: "0.30", w5m: "3.75", w1h: "6", out: "15" },
  "meta.llama3-1-70b-instruct-v1:0": { in: "0.99", read: "0.99", w5m: "0.99", w1h: "0.99", out: "0.99" },
  "amazon.titan-text-express-v1": { in: "1.30", read: "1.30", w5m: "1.30", w1h: "1.30", out: "1.70" },
  "amazon.nova-sonic-v1:0": {
    in: "0.06",
    read: "0.06",
    w5m: "0.06",
    w1h: "0.06",
    out: "0.24",
    ain: "3.4",
    aout: "13.6",
  },
};

export const testPricer: Pricer = {
  price(req: PriceRequest) {
    const r = RATES[req.model];
    if (!r) return { costUsd: null, pricingKey: null };
    const u = req.usage;
    // Audio buckets are subsets of input / output: the rest is text.
    const cost = new Decimal(u.uncachedInputTokens - u.inputAudioTokens)
      .mul(r.in)
      .add(new Decimal(u.inputAudioTokens).mul(r.ain ?? r.in))
      .add(new Decimal(u.cacheReadTokens).mul(r.read))
      .add(new Decimal(u.cacheWrite5mTokens).mul(r.w5m))
      .add(new Decimal(u.cacheWrite1hTokens).mul(r.w1h))
      .add(new Decimal(u.outputTokens - u.outputAudioTokens).mul(r.out))
      .add(new Decimal(u.outputAudioTokens).mul(r.aout ?? r.out))
      .div(1_000_000);
    return { costUsd: cost.toFixed(), pricingKey: req.model };
  },
};

export const CREDENTIALS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

export function newClient(
  server: BedrockServer,
  extra: Partial<bedrock.BedrockRuntimeClientConfig> = {},
): bedrock.BedrockRuntimeClient {
  return new bedrock.BedrockRuntimeClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: CREDENTIALS,
    maxAttempts: 1,
    ...extra,
  });
}

export interface Harness {
  server: BedrockServer;
  sink: UsageSink;
  env: InterceptorEnv;
  patch: PatchSet | undefined;
  flushed: () => Promise<LedgerEvent[]>;
  storage: { stored: LedgerEvent[] };
  warnings: string[];
  internalErrors: string[];
  close(): Promise<void>;
}

/** Patch the real SDK module with a capture tracker as the sink, and start a fake Bedrock. */
export async function harness(options: InterceptorOptions = {}, mod: unknown = bedrock): Promise<Harness> {
  const server = await startBedrockServer();
  const internalErrors: string[] = [];
  const { tracker, storage, flushed } = captureTracker({
    pricer: testPricer,
    onError: (e, stage) => internalErrors.push(`${stage}: ${String(e)}`),
  });
  const warnings: string[] = [];
  const env: InterceptorEnv = { sink: () => tracker, options, warnOnce: (_k, m) => warnings.push(m) };
  const patch = bedrockInterceptor.patchModule(mod, env);
  return {
    server,
    sink: tracker,
    env,
    patch,
    flushed,
    storage,
    warnings,
    internalErrors,
    async close() {
      patch?.restore();
      await tracker.shutdown();
      await server.close();
    },
  };
}

export const MESSAGES = [{ role: "user" as const, content: [{ text: "Hello" }] }];

export { deepFreeze } from "../deep-freeze.js";

export async function drain<T>(iterable: AsyncIterable<T> | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable ?? []) out.push(item);
  return out;
}

export function bytesText(item: { chunk?: { bytes?: Uint8Array } }): string {
  return new TextDecoder().decode(item.chunk?.bytes);
}
