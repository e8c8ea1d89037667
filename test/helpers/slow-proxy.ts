import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP proxy on 127.0.0.1:0 to a local port; what the upstream says reaches the client `delayMs` later. */
export interface SlowProxy {
  port: number;
  /** Delay added to every chunk from the upstream, in order; change it at any time. */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * A slow network in front of any server (TLS, gRPC): the client's bytes go through at once, the server's answer
 * (a ServerHello, an HTTP/2 frame) arrives `delayMs` later, so a poll takes at least that long whatever the protocol.
 */
export async function startSlowProxy(upstreamPort: number, delayMs = 0): Promise<SlowProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => (client.destroy(), upstream.destroy()));
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream);
    // Each chunk leaves `delayMs` after it arrived (not after the one before it), in the order they came.
    let last = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      const due = Date.now() + proxy.delayMs;
      last = last
        .then(() => new Promise<void>((r) => setTimeout(r, Math.max(0, due - Date.now()))))
        .then(() => void client.write(chunk));
    });
    upstream.on('end', () => void last.then(() => client.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: SlowProxy = {
    port: (server.address() as AddressInfo).port,
    delayMs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
  return proxy;
}
