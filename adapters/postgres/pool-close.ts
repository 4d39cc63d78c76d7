/** How long `close()` lets the pool end gracefully before it cuts tokenledger's own connections. */
export const POOL_CLOSE_GRACE_MS = 1000;

/**
 * End a pool tokenledger created: gracefully when it can, within `graceMs`; after that, destroy the sockets
 * of its remaining connections (a statement waiting for a hung server, a connection attempt into a black
 * hole), so that nothing of ours keeps the host's process alive after `shutdown()` returns.
 */
export async function endOwnPool(
  ending: Promise<unknown>,
  pool: unknown,
  graceMs = POOL_CLOSE_GRACE_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceful = await Promise.race([
    ending.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (!graceful) destroyConnections(pool);
}

interface PgClientInternals {
  readonly connection?: { readonly stream?: { destroy?: () => void } };
}

/** pg keeps every client of a pool (idle, busy or still connecting) in `_clients`; duck-typed on purpose. */
function destroyConnections(pool: unknown): void {
  const clients = (pool as { _clients?: unknown } | null)?._clients;
  if (!Array.isArray(clients)) return;
  for (const client of clients as PgClientInternals[]) {
    try {
      client.connection?.stream?.destroy?.();
    } catch {
      /* closing must not throw */
    }
  }
}
