import { describe, expect, it } from 'vitest';
import { stateWhen, tlsFixture } from './helpers/tls-fixture.js';
import { startGrpcHealth, startTlsServer } from './helpers/tls-servers.js';
import { startSlowProxy } from './helpers/slow-proxy.js';

// TLS and gRPC servers on loopback behind a proxy that can slow their answers down: `latency` judges these kinds' polls
// as it judges http's. Limits far from the delays, so the statuses do not depend on how busy the machine is.
const fx = tlsFixture();
const LATENCY = { warning: '100ms', critical: '1500ms' };
const TIMING = { interval: '2s', timeout: '1800ms' };

describe('latency on the TLS and gRPC kinds', () => {
  it('a slow TLS handshake (tls://, tcp:// with tls) is Warning, its certificate still read', async () => {
    const srv = fx.keep(await startTlsServer(fx.ca.server('slow.test', { names: ['127.0.0.1'] })));
    const proxy = fx.keep(await startSlowProxy(srv.port));
    const t = await fx.app({ tls: { cas: { internal: fx.ca.cert } } });
    const tls = { ca: 'internal' };
    const checks = [
      { id: 'hs', url: `tls://127.0.0.1:${proxy.port}`, tls, latency: LATENCY, ...TIMING },
      { id: 'port', url: `tcp://127.0.0.1:${proxy.port}`, tls, latency: LATENCY, ...TIMING },
    ];
    for (const c of checks) await t.request.post('/checks').send(c).expect(201);
    await stateWhen(t, 'hs', 'OK', /^handshake OK/);
    await stateWhen(t, 'port', 'OK', /^handshake OK/);

    proxy.delayMs = 300;
    for (const id of ['hs', 'port']) {
      const s = await stateWhen(t, id, 'Warning', /^slow: answered in \d+ ms \(warning above 100 ms\); handshake OK/);
      expect(s.certificate?.subject).toBe('CN=slow.test');
      expect(s).toMatchObject({ latency: { warning: '100ms', critical: '1.5s' }, tls: { ca: 'internal' } });
    }
    proxy.delayMs = 0;
    await stateWhen(t, 'hs', 'OK', /^handshake OK/);
    // Polls are counted by kind: tcp:// over TLS is a tcp poll.
    const text = (await t.request.get('/metrics')).text;
    for (const kind of ['tls', 'tcp'])
      expect(text).toMatch(new RegExp(`^megaphone_poll_duration_seconds_count\\{kind="${kind}"\\} [1-9]`, 'm'));
  }, 40_000);

  it('a slow gRPC health answer is Warning with SERVING; NOT_SERVING stays Critical with its own message', async () => {
    const srv = fx.keep(await startGrpcHealth({ '': 'SERVING' }));
    const proxy = fx.keep(await startSlowProxy(srv.port));
    const t = await fx.app();
    await t.request
      .post('/checks')
      .send({ id: 'rpc', url: `grpc://127.0.0.1:${proxy.port}`, latency: LATENCY, ...TIMING })
      .expect(201);
    await stateWhen(t, 'rpc', 'OK', 'SERVING');

    proxy.delayMs = 300;
    await stateWhen(t, 'rpc', 'Warning', /^slow: answered in \d+ ms \(warning above 100 ms\); SERVING$/);
    srv.health.setStatus('', 'NOT_SERVING');
    await stateWhen(t, 'rpc', 'Critical', 'NOT_SERVING');

    const text = (await t.request.get('/metrics')).text;
    expect(text).toMatch(/^megaphone_poll_duration_seconds_count\{kind="grpc"\} [1-9]/m);
    expect(text).toMatch(/^megaphone_check_latency_seconds\{check="rpc"\} /m);
  }, 40_000);
});
