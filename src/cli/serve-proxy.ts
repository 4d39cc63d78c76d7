import type { AlertChannel } from "../budgets/alerts/channel.js";
import { startAlertRetries } from "../budgets/alerts/retry-timer.js";
import type { Pricer } from "../core/pricer.js";
import type { StorageAdapter } from "../core/storage.js";
import type { ServerPlugin } from "../server/app.js";
import type { ServerStorage } from "../server/ports.js";

export interface ServeProxyOptions {
  readonly storage: ServerStorage;
  readonly pricer: Pricer;
  readonly upstreams: { readonly anthropic?: string; readonly openai?: string };
  /** Budget alert channels (the config file's `alerts:`); forecast alerts read the server's ledger. */
  readonly channels?: readonly AlertChannel[];
}

/**
 * The server owns the ledger's connections (closed by the app's own onClose); the proxy's tracker writes through
 * them, so its shutdown must flush without closing them.
 */
function sharedStorage(storage: StorageAdapter): StorageAdapter {
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === "close") return async () => undefined;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * `tokenledger serve --proxy`: the tracking proxy's `/v1/...` routes (and the OTLP receiver) on the server's port,
 * recording into the same ledger with the same budgets. Loaded only when asked for.
 */
export async function serveProxyPlugin(o: ServeProxyOptions): Promise<ServerPlugin> {
  const [
    { TokenTracker },
    { createProxy, mountProxy, ledgerIdentities },
    { BudgetGuard },
    { liveRowsFirst },
  ] = await Promise.all([
    import("../core/tracker.js"),
    import("../proxy/index.js"),
    import("../budgets/guard.js"),
    import("../core/live-rows-first.js"),
  ]);
  const tracker = new TokenTracker({
    storage: liveRowsFirst(sharedStorage(o.storage)),
    pricer: o.pricer,
    autoFlushOnExit: false,
  });
  // The server's own API keys name callers (x-tokenledger-key / /k/<key>/) and guard the OTLP receiver.
  const hasKeys = (await o.storage.access.listKeys()).some((k) => k.revokedAt === null);
  const channels = o.channels ?? [];
  const gate = new BudgetGuard({ store: o.storage.budgets, pricer: o.pricer, channels, ledger: o.storage });
  const proxy = createProxy({
    sink: tracker,
    upstreams: o.upstreams,
    resolveIdentity: ledgerIdentities(o.storage.access),
    otlpRequireKey: hasKeys,
    gate,
  });
  const stopRetries = o.channels?.length ? startAlertRetries(gate.outbox) : undefined;
  return (app) => {
    mountProxy(app, proxy);
    // Registered after the app's own hook that closes the ledger; close hooks run last-registered first, so the
    // proxy's calls are flushed while the ledger is still open.
    app.addHook("onClose", async () => {
      await proxy.close();
      stopRetries?.();
      await gate.idle();
      await tracker.shutdown();
    });
  };
}
