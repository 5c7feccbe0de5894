/**
 * TLS in front of a plain HTTP test server on 127.0.0.1: decrypts and pipes every connection to
 * `target`, so the fault server's features (ranges, faults, request log) work over https too.
 */
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';

export interface TlsFront {
  readonly port: number;
  close(): Promise<void>;
}

export async function startTlsFront(target: string, credentials: { key: string; cert: string }): Promise<TlsFront> {
  const to = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer(credentials, (client: TLSSocket) => {
    const up = connect(Number(to.port), to.hostname);
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(up).pipe(client);
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  });
  // Handshake failures (a client that does not trust us) are the point of some tests, not errors.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
