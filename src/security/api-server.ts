import http from 'node:http';
import type { Config } from '../config/schema.js';
import type { Admission } from './admission.js';

/**
 * The API's HTTP server with its bounds: header and request deadlines (slowloris), short
 * keep-alive, and every socket admitted by the admission module (per client and in all), so no
 * client can take every socket from the load balancers.
 */
export function createApiServer(
  handler: http.RequestListener,
  limits: Config['limits'],
  admission: Admission,
): http.Server {
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
  server.on('connection', (socket) => void admission.admitSocket(socket));
  return server;
}
