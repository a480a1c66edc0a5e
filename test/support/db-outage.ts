import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP relay in front of the run's database server, so a test can cut the network between the
 * app and a real database (an outage) and restore it. Nothing is imitated: every byte goes to
 * the real server while the relay is up.
 * @example const relay = await DatabaseRelay.start(inject('mongoUri')); relay.cut(); … relay.restore();
 */
export class DatabaseRelay {
  private readonly sockets = new Set<net.Socket>();
  private down = false;

  private constructor(
    private readonly server: net.Server,
    /** The relay's URI, same form as the server's (`mongodb://host:port/`). */
    readonly uri: string,
  ) {}

  static async start(serverUri: string): Promise<DatabaseRelay> {
    const target = new URL(serverUri);
    const relay: { value?: DatabaseRelay } = {};
    const server = net.createServer((client) => relay.value?.accept(client, target.hostname, Number(target.port)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    relay.value = new DatabaseRelay(server, `mongodb://127.0.0.1:${String(port)}/`);
    return relay.value;
  }

  /** Drops every open connection and refuses new ones until `restore()`. */
  cut(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.down = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, host: string, port: number): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(port, host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
