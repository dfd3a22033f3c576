import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface HungServer {
  url: string;
  /** Connections accepted so far. */
  accepted(): number;
  close(): void;
}

/** A dependency that accepts connections and never answers: the stall the deadlines exist for. */
export async function hungServer(): Promise<HungServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    close() {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}
