// Fake TLS and gRPC targets for the kinds bench, in their own process: a test CA made with openssl,
// an https status service, a TLS server (tls://), and the reference gRPC health service, plaintext
// and over TLS. Sends the parent { ports, ca } once all listen.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

const dir = mkdtempSync(path.join(tmpdir(), 'megaphone-bench-tls-'));
const at = (f) => path.join(dir, f);
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=bench CA');
openssl('req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=bench.test');
writeFileSync(at('srv.ext'), 'subjectAltName=DNS:bench.test,IP:127.0.0.1\n');
openssl(
  'x509',
  '-req',
  '-in',
  'srv.csr',
  '-CA',
  'ca.pem',
  '-CAkey',
  'ca.key',
  '-set_serial',
  '2',
  '-days',
  '30',
  '-extfile',
  'srv.ext',
  '-out',
  'srv.pem',
);
const cert = readFileSync(at('srv.pem'));
const key = readFileSync(at('srv.key'));

const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const OK = Buffer.from(JSON.stringify({ status: 'OK', message: 'fine' }));
const web = https.createServer({ cert, key, keepAliveTimeout: 60_000 }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': OK.length });
  res.end(OK);
});
const handshakes = tls.createServer({ cert, key }, (socket) => {
  socket.on('error', () => undefined);
  socket.end();
});
handshakes.on('tlsClientError', () => undefined);

async function grpcServer(creds) {
  const server = new grpc.Server();
  new HealthImplementation({ '': 'SERVING' }).addToServer(server);
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', creds, (err, port) => (err ? reject(err) : resolve(port))),
  );
}

const ports = {
  https: await listen(web),
  tls: await listen(handshakes),
  grpc: await grpcServer(grpc.ServerCredentials.createInsecure()),
  grpcs: await grpcServer(grpc.ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }])),
};
process.send({ ports, ca: at('ca.pem') });
process.on('disconnect', () => process.exit(0));
