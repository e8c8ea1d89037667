import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatusMap } from 'grpc-health-check';
import type { Issued } from './certs.js';

/** A server on 127.0.0.1:0 and how to stop it. */
export interface Running {
  port: number;
  /** Connections accepted so far (TLS handshakes completed for TLS servers). */
  connections: number;
  close(): Promise<void>;
}

// Options of a TLS server presenting `cert`; `clientCa` set: it requires a client certificate signed by it.
const serverOptions = (cert: Issued, clientCa?: string): tls.TlsOptions => ({
  cert: cert.certPem,
  key: cert.keyPem,
  ...(clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: true } : {}),
});

function closer(server: tls.Server | https.Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
}

/** A TLS server that completes handshakes and says nothing (a tls:// target). */
export async function startTlsServer(cert: Issued, opts: { clientCa?: string; sni?: Issued[] } = {}): Promise<Running> {
  const contexts = new Map(
    (opts.sni ?? []).map((c) => [c.subject.slice(3), tls.createSecureContext(serverOptions(c))]),
  );
  const server = tls.createServer({
    ...serverOptions(cert, opts.clientCa),
    // With `sni`: only the names given are served; a handshake without SNI, or with another name, is refused.
    ...(opts.sni
      ? {
          SNICallback: (name: string, cb: (e: Error | null, c?: tls.SecureContext) => void) =>
            cb(null, contexts.get(name)),
        }
      : {}),
  });
  const running = { connections: 0 } as Running;
  server.on('secureConnection', (socket) => {
    running.connections++;
    socket.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running.port = (server.address() as AddressInfo).port;
  running.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return running;
}

/** An https status service answering `{"status": "OK"}` on every path. */
export async function startHttpsService(cert: Issued, opts: { clientCa?: string } = {}): Promise<Running> {
  const running = { connections: 0 } as Running;
  const server = https.createServer(serverOptions(cert, opts.clientCa), (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'OK', message: 'served over TLS' }));
  });
  server.on('secureConnection', () => running.connections++);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running.port = (server.address() as AddressInfo).port;
  running.close = closer(server);
  return running;
}

/** The reference gRPC health service (grpc-health-check's implementation), plaintext or TLS. */
export interface GrpcHealthServer extends Running {
  health: HealthImplementation;
}

export async function startGrpcHealth(statuses: ServingStatusMap, cert?: Issued): Promise<GrpcHealthServer> {
  const health = new HealthImplementation(statuses);
  const server = new grpc.Server();
  health.addToServer(server);
  const creds = cert
    ? grpc.ServerCredentials.createSsl(null, [
        { cert_chain: Buffer.from(cert.certPem), private_key: Buffer.from(cert.keyPem) },
      ])
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    health,
    connections: 0,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
