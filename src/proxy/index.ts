/** The tracking proxy (CLI and server only; not exported from the library entry). */
export { createProxy, type TokenLedgerProxy } from "./create-proxy.js";
export { startProxyServer, type ProxyServer } from "./server.js";
export { mountProxy } from "./fastify.js";
export type { ProxyOptions, ProxyUpstreams } from "./options.js";
export { staticIdentities, type ResolveIdentity } from "./identity.js";
export { handleOtlpRequest, createOtlpServer, providerRequestEventId } from "./otlp/index.js";
export { ledgerIdentities, firstIdentity } from "./ledger-identity.js";
export { proxyFailoverGroups } from "./failover-config.js";
export type { ProxyFailoverGroup, ProxyFailoverTarget } from "./options.js";
