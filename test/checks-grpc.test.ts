import { describe, expect, it } from 'vitest';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { stateWhen, tlsFixture } from './helpers/tls-fixture.js';
import { startGrpcHealth } from './helpers/tls-servers.js';

// A real gRPC health server: grpc-health-check's reference implementation on @grpc/grpc-js, on loopback.
const fx = tlsFixture();
const app = fx.app;
const health = async (...args: Parameters<typeof startGrpcHealth>) => fx.keep(await startGrpcHealth(...args));

describe('grpc:// checks (grpc.health.v1.Health/Check)', () => {
  it('SERVING is OK, NOT_SERVING Critical, and back, as the server flips', async () => {
    const srv = await health({ '': 'SERVING', db: 'SERVING' });
    const t = await app();
    await t.request
      .post('/checks')
      .send({ id: 'server', url: `grpc://127.0.0.1:${srv.port}` })
      .expect(201);
    const db = { id: 'db', url: { addr: `grpc://127.0.0.1:${srv.port}`, service: 'db' } };
    await t.request.post('/checks').send(db).expect(201);
    await stateWhen(t, 'server', 'OK', 'SERVING');
    await stateWhen(t, 'db', 'OK', 'SERVING for service "db"');
    srv.health.setStatus('db', 'NOT_SERVING');
    await stateWhen(t, 'db', 'Critical', 'NOT_SERVING for service "db"');
    expect((await t.request.get('/').expect(503)).body.message).toBe('db:Critical:NOT_SERVING for service "db"');
    srv.health.setStatus('db', 'SERVING');
    await stateWhen(t, 'db', 'OK', 'SERVING for service "db"');
    expect((await t.request.get('/checks/server/state')).body).toMatchObject({ kind: 'grpc', status: 'OK' });
  });

  it('a service the server does not know is Unknown', async () => {
    const srv = await health({ '': 'SERVING' });
    const t = await app();
    await t.request.post('/checks').send({ id: 'x', url: { addr: `grpc://127.0.0.1:${srv.port}`, service: 'nope' } });
    await stateWhen(t, 'x', 'Unknown', 'service "nope" unknown to the server (NOT_FOUND)');
  });

  it('a dead port is Critical UNAVAILABLE with the reason; a mute server, Critical DEADLINE_EXCEEDED', async () => {
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    // Accepts connections and never says a word (no HTTP/2 settings): the call can only time out.
    const held = new Set<net.Socket>();
    const mute = net.createServer((s) => void held.add(s.on('error', () => undefined)));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    fx.keep({ close: () => new Promise<void>((r) => (mute.close(() => r()), held.forEach((s) => s.destroy()))) });
    const t = await app();
    await t.request
      .post('/checks')
      .send({ id: 'dead', url: `grpc://127.0.0.1:${deadPort}` })
      .expect(201);
    const mutePort = (mute.address() as AddressInfo).port;
    await t.request
      .post('/checks')
      .send({ id: 'mute', url: `grpc://127.0.0.1:${mutePort}` })
      .expect(201);
    await stateWhen(t, 'dead', 'Critical', 'UNAVAILABLE: connection refused (ECONNREFUSED)');
    await stateWhen(t, 'mute', 'Critical', /^DEADLINE_EXCEEDED: timed out after \d+ms$/);
  });

  it('over TLS: verified with the named CA and servername, certificate recorded; without the CA, says so', async () => {
    const srv = await health({ '': 'SERVING' }, fx.ca.server('grpc.test', { names: ['grpc.test'] }));
    const t = await app({ tls: { cas: { internal: fx.ca.cert } } });
    const url = `grpc://127.0.0.1:${srv.port}`;
    await t.request.post('/checks').send({ id: 'tls', url, tls: { ca: 'internal', servername: 'grpc.test' } });
    await t.request
      .post('/checks')
      .send({ id: 'no-ca', url, tls: { servername: 'grpc.test' } })
      .expect(201);
    await t.request.post('/checks').send({ id: 'plain', url }).expect(201);
    expect((await stateWhen(t, 'tls', 'OK', 'SERVING')).certificate).toMatchObject({ subject: 'CN=grpc.test' });
    await stateWhen(
      t,
      'no-ca',
      'Critical',
      'UNAVAILABLE: certificate signed by an unknown CA (set tls.ca) (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
    );
    await stateWhen(t, 'plain', 'Critical', /^UNAVAILABLE/);
  });

  it('checks of one server share its channel, closed with the last of them', async () => {
    const srv = await health({ '': 'SERVING', db: 'SERVING' });
    const t = await app();
    const addr = `grpc://127.0.0.1:${srv.port}`;
    await t.request.post('/checks').send({ id: 'g', url: addr }).expect(201);
    await t.request
      .post('/checks')
      .send({ id: 'db', url: { addr, service: 'db' } })
      .expect(201);
    await stateWhen(t, 'g', 'OK');
    await stateWhen(t, 'db', 'OK');
    expect(t.megaphone.connections.grpc.size).toBe(1);
    await t.request.delete('/checks/g').expect(204);
    expect(t.megaphone.connections.grpc.size).toBe(1);
    await t.request.delete('/checks/db').expect(204);
    expect(t.megaphone.connections.grpc.size).toBe(0);
  });
});
