import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of PostgreSQL that, when armed, forwards the next statement containing `marker`
 * to the server but never returns the answer and then drops the client: the commit happens, the
 * acknowledgement is lost (an ambiguous failure).
 */
export class CutAfterStatementProxy {
  #armed: string | null = null;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  cuts = 0;

  constructor(
    readonly upstreamHost: string,
    readonly upstreamPort: number,
  ) {}

  arm(marker: string): void {
    this.#armed = marker.toLowerCase();
  }

  async listen(): Promise<number> {
    this.#server = createServer((client) => {
      const upstream = connect(this.upstreamPort, this.upstreamHost);
      this.#sockets.add(client).add(upstream);
      let cut = false;
      client.on("data", (chunk) => {
        upstream.write(chunk);
        if (this.#armed && chunk.toString("latin1").toLowerCase().includes(this.#armed)) {
          this.#armed = null;
          cut = true;
          this.cuts++;
          setTimeout(() => client.destroy(), 300); // long enough for the server to commit
        }
      });
      upstream.on("data", (chunk) => {
        if (!cut) client.write(chunk);
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on("close", close).on("error", close);
      upstream.on("close", close).on("error", close);
    });
    await new Promise<void>((r) => this.#server!.listen(0, "127.0.0.1", r));
    const addr = this.#server.address();
    return typeof addr === "object" && addr ? addr.port : 0;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((r) => this.#server?.close(() => r()) ?? r());
  }
}
