import http from 'node:http';
import type { Config } from '../config/schema.js';

/**
 * The API's HTTP server with its bounds: header and request deadlines (slowloris), short
 * keep-alive, and a cap on open connections per client address so one client cannot take
 * every socket from the load balancers.
 */
export function createApiServer(handler: http.RequestListener, limits: Config['limits']): http.Server {
  const headersTimeout = limits.headersTimeout;
  const server = http.createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(limits.requestTimeout, headersTimeout),
      keepAliveTimeout: 5_000,
      // How often Node sweeps for expired header/request deadlines; the default 30 s lets slow clients linger.
      connectionsCheckingInterval: Math.min(1_000, headersTimeout),
      maxHeaderSize: 16 * 1024,
    },
    handler,
  );
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const peer = socket.remoteAddress ?? '?';
    const count = (open.get(peer) ?? 0) + 1;
    if (count > limits.connectionsPerClient) {
      socket.destroy();
      return;
    }
    open.set(peer, count);
    socket.once('close', () => {
      const left = (open.get(peer) ?? 1) - 1;
      if (left <= 0) open.delete(peer);
      else open.set(peer, left);
    });
  });
  return server;
}
