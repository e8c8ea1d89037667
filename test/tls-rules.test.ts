import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, parseConfig } from '../src/config/load.js';
import { compileRule, renderRegistration } from '../src/discovery/rules.js';
import type { ResolveAll } from '../src/security/targets.js';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.js';
import { stateWhen, tlsFixture } from './helpers/tls-fixture.js';
import { createTestCa, type TestCa } from './helpers/certs.js';
import { startGrpcHealth, startTlsServer } from './helpers/tls-servers.js';

const fx = tlsFixture();
// A second CA: the one a renewed CA file names.
let other: TestCa;
beforeAll(() => {
  other = createTestCa();
});
afterAll(() => other.remove());

describe('bad TLS and gRPC input: 400 naming the field and the rule, nothing stored', () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    [
      'a tls.ca path',
      { url: 'tls://127.0.0.1:1', tls: { ca: '/etc/ssl/ca.pem' } },
      'E_TLS_PATH_OVER_HTTP',
      /`tls\.ca` names a file/,
    ],
    [
      'a client certificate',
      { url: 'tls://127.0.0.1:1', tls: { cert: '/c.pem', key: '/k.pem' } },
      'E_TLS_PATH_OVER_HTTP',
      /`tls\.cert` names a file/,
    ],
    [
      'an unknown CA name',
      { url: 'tls://127.0.0.1:1', tls: { ca: 'nope' } },
      'E_TLS_UNKNOWN_CA',
      /`tls\.ca` names "nope", which the config's `tls\.cas` does not declare \(it declares internal\)/,
    ],
    [
      'warning shorter than critical',
      { url: 'tls://127.0.0.1:1', tls: { expiry: { warning: '3d', critical: '14d' } } },
      'E_VALIDATION',
      /`tls\.expiry\.warning` must be longer than `critical` \(14d\)/,
    ],
    [
      'an empty expiry',
      { url: 'tls://127.0.0.1:1', tls: { expiry: {} } },
      'E_VALIDATION',
      /`tls\.expiry` needs `warning`, `critical` or both/,
    ],
    [
      'a malformed expiry',
      { url: 'tls://127.0.0.1:1', tls: { expiry: { warning: 'two weeks' } } },
      'E_VALIDATION',
      /`tls\.expiry\.warning` must be a duration/,
    ],
    [
      'an IP as servername',
      { url: 'tls://127.0.0.1:1', tls: { servername: '10.0.0.1' } },
      'E_VALIDATION',
      /`tls\.servername` must be a DNS name/,
    ],
    [
      'insecure with a CA',
      { url: 'tls://127.0.0.1:1', tls: { ca: 'internal', insecure: true } },
      'E_VALIDATION',
      /`tls\.insecure` skips verification/,
    ],
    ['`tls: false`', { url: 'tls://127.0.0.1:1', tls: false }, 'E_VALIDATION', /`tls`/],
    [
      'grpc:// without a port',
      { url: 'grpc://127.0.0.1' },
      'E_VALIDATION',
      /`url` must be grpc:\/\/host:port: the port is required/,
    ],
    [
      'tls:// with a path',
      { url: 'tls://127.0.0.1:443/x' },
      'E_VALIDATION',
      /`url` must be tls:\/\/host:port \(no path/,
    ],
    ['grpcs://', { url: 'grpcs://127.0.0.1:1' }, 'E_VALIDATION', /gRPC over TLS is grpc:\/\/ with `tls`/],
    [
      'tls on http://',
      { url: 'http://127.0.0.1:1/', tls: true },
      'E_VALIDATION',
      /`tls` applies to https:\/\/, tls:\/\//,
    ],
    ['tls on a push check', { ttl: '1m', tls: true }, 'E_VALIDATION', /`tls` applies to checks with a `url`/],
    [
      'a service on https',
      { url: { addr: 'https://127.0.0.1:1/', service: 'x' } },
      'E_VALIDATION',
      /`url\.service` does not apply to a https:\/\/ check/,
    ],
    [
      'tls on dns://',
      { url: 'dns://db.test', tls: true },
      'E_VALIDATION',
      /`tls` applies to https:\/\/, tls:\/\/ \(and turns TLS on for tcp:\/\/ and grpc:\/\/\), not to dns:\/\//,
    ],
    [
      'a service on dns://',
      { url: { addr: 'dns://db.test', service: 'x' } },
      'E_VALIDATION',
      /`url\.service` does not apply to a dns:\/\/ check/,
    ],
    [
      'a dns type on grpc://',
      { url: { addr: 'grpc://127.0.0.1:1', type: 'A' } },
      'E_VALIDATION',
      /`url\.type` does not apply to a grpc:\/\/ check/,
    ],
    [
      'thresholds on tls://',
      { url: { addr: 'tls://127.0.0.1:1', thresholds: { warning: '10' } } },
      'E_VALIDATION',
      /`url\.thresholds` does not apply to a tls:\/\/ check/,
    ],
    [
      'a jsonpath on grpc',
      { url: { addr: 'grpc://127.0.0.1:1', jsonpath: 'a' } },
      'E_VALIDATION',
      /`url\.jsonpath` does not apply to a grpc:\/\/ check/,
    ],
  ];

  let app: TestApp;
  beforeAll(async () => {
    app = await makeTestApp({ tls: { cas: { internal: fx.ca.cert } } });
  });
  afterAll(() => app.close());

  it.each(cases)('%s', async (_what, body, code, message) => {
    const res = await app.request
      .post('/checks')
      .send({ id: 'bad', ...body })
      .expect(400);
    expect(res.body.code).toBe(code);
    expect(res.body.error).toMatch(message);
    expect(app.table.get('bad')).toBeUndefined();
    await app.request.get('/checks/bad').expect(404);
  });
});

// A DNS the test controls; `svc.test` moves when the test says so.
const dns =
  (table: Map<string, string>): ResolveAll =>
  async (host) => {
    const a = table.get(host);
    if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return [{ address: a, family: 4 }];
  };

describe('the target policy applies to tls:// and grpc:// as to http', () => {
  it('outside targets.allow: refused at registration with the same error as an http target', async () => {
    const t = await fx.app();
    const http = (await t.request.post('/checks').send({ id: 'h', url: 'http://10.0.0.1:50051/' }).expect(400)).body;
    expect(http.code).toBe('E_TARGET_REFUSED');
    for (const url of ['grpc://10.0.0.1:50051', 'tls://10.0.0.1:50051', 'tcp://10.0.0.1:50051']) {
      const res = await t.request.post('/checks').send({ id: 'x', url, tls: true }).expect(400);
      expect(res.body).toEqual(http);
    }
    const meta = await t.request.post('/checks').send({ id: 'x', url: 'grpc://169.254.169.254:80' }).expect(400);
    expect(meta.body.error).toMatch(/link-local \(cloud metadata\) and always refused/);
  });

  it('at connect time: a name that now resolves outside targets.allow is refused (DNS changed)', async () => {
    const g = fx.keep(await startGrpcHealth({ '': 'SERVING' }));
    const srv = fx.keep(await startTlsServer(fx.ca.server('svc.test')));
    const table = new Map([['svc.test', '127.0.0.1']]);
    const t = await fx.app({ tls: { cas: { internal: fx.ca.cert } } }, { resolve: dns(table) });
    await t.request
      .post('/checks')
      .send({ id: 'g', url: `grpc://svc.test:${g.port}` })
      .expect(201);
    await t.request.post('/checks').send({ id: 's', url: `tls://svc.test:${srv.port}`, tls: { ca: 'internal' } });
    await stateWhen(t, 'g', 'OK');
    await stateWhen(t, 's', 'OK');
    table.set('svc.test', '10.0.0.1');
    for (const id of ['g', 's'])
      expect((await stateWhen(t, id, 'Critical')).message).toMatch(
        /target svc\.test refused at connect: svc\.test resolves to 10\.0\.0\.1 is not in targets\.allow/,
      );
  });
});

describe('TLS files come from the config only, read at load and at each reload', () => {
  it("relative paths are read from the config's folder; a bad file stops start-up, naming key and path", async () => {
    const dir = tempDir();
    copyFileSync(fx.ca.cert, path.join(dir, 'ca.pem'));
    const file = path.join(dir, 'megaphone.conf.json');
    const check = { id: 'c', url: 'tls://127.0.0.1:1', tls: { ca: './ca.pem' } };
    writeFileSync(file, JSON.stringify({ tls: { cas: { internal: 'ca.pem' } }, checks: [check] }));
    const { config } = await loadConfig({ configFlag: file, env: {}, cwd: '/' });
    expect(config.tls.cas.internal).toBe(path.join(dir, 'ca.pem'));
    expect(config.checks[0]?.tls).toEqual({ ca: path.join(dir, 'ca.pem') });

    expect(() => parseConfig({ tls: { cas: { internal: path.join(dir, 'none.pem') } } })).toThrow(
      `config: \`tls.cas.internal\` ${path.join(dir, 'none.pem')} is not readable as a PEM certificate (ENOENT)`,
    );
    const asKey = { checks: [{ ...check, tls: { ca: fx.ca.cert, cert: fx.ca.client('x').cert, key: fx.ca.cert } }] };
    expect(() => parseConfig(asKey)).toThrow(
      /`checks\[0\]\.tls\.key` \S+ is not readable as an unencrypted PEM private key/,
    );
    const mismatch = { checks: [{ ...check, tls: { cert: fx.ca.client('x').cert, key: fx.ca.client('y').key } }] };
    expect(() => parseConfig(mismatch)).toThrow(/`checks\[0\]\.tls` cannot be used \(cert \S+, key \S+\): .*mismatch/);
    expect(() => parseConfig({ checks: [{ ...check, tls: { ca: 'nope' } }] })).toThrow(
      /`checks\[0\]\.tls` `tls\.ca` names "nope", which the config's `tls\.cas` does not declare \(it declares none\)/,
    );
  });

  it('a reload reads the files again: a config check and an API check follow a renewed CA', async () => {
    const srv = fx.keep(await startTlsServer(other.server('renewed.test', { names: ['127.0.0.1'] })));
    const dir = tempDir();
    const caFile = path.join(dir, 'ca.pem');
    copyFileSync(fx.ca.cert, caFile);
    const url = `tls://127.0.0.1:${srv.port}`;
    const raw = {
      defaults: { interval: '300ms', timeout: '250ms' },
      tls: { cas: { internal: caFile } },
      checks: [{ id: 'conf', url, tls: { ca: caFile } }],
    };
    const t = fx.keep(await makeTestApp(raw));
    await t.request
      .post('/checks')
      .send({ id: 'api', url, tls: { ca: 'internal' } })
      .expect(201);
    await stateWhen(t, 'conf', 'Critical');
    await stateWhen(t, 'api', 'Critical');
    // The server's CA goes into the same file; only a reload reads it.
    copyFileSync(other.cert, caFile);
    const outcome = await t.reload(parseConfig(raw));
    expect(outcome.applied).toContain('tls');
    expect((await stateWhen(t, 'conf', 'OK')).message).toMatch(/^handshake OK/);
    await stateWhen(t, 'api', 'OK');
    // A CA the config no longer names: the stored API check stays, and says why it cannot poll.
    await t.reload(parseConfig({ ...raw, tls: { cas: {} } }));
    expect((await stateWhen(t, 'api', 'Unknown')).message).toMatch(/names "internal", which the config's `tls\.cas`/);
  });

  it("a discovery rule's tls reaches every check it makes (files allowed: it is config)", () => {
    const config = parseConfig({
      discovery: {
        rules: [{ match: { name: 'envoy' }, id: 'envoy', url: 'tls://127.0.0.1:{port}', tls: { ca: fx.ca.cert } }],
      },
    });
    const rule = compileRule(config.discovery.rules[0] as never, 0);
    expect(renderRegistration(rule, { pid: 1, name: 'envoy', port: 8443 })).toEqual({
      id: 'envoy',
      url: 'tls://127.0.0.1:8443',
      tls: { ca: fx.ca.cert },
    });
  });

  it("a discovery rule's tls and latency both reach a grpc:// check, and a bad tls is the rule's `tls` field", () => {
    const grpcRule = {
      match: { name: 'api' },
      id: 'api',
      url: { addr: 'grpc://127.0.0.1:{port}', service: 'api.v1' },
      tls: { ca: fx.ca.cert, expiry: { warning: '14d' } },
      latency: { warning: '500ms' },
    };
    const config = parseConfig({ discovery: { rules: [grpcRule] } });
    const rule = compileRule(config.discovery.rules[0] as never, 0);
    expect(renderRegistration(rule, { pid: 1, name: 'api', port: 9090 })).toEqual({
      id: 'api',
      url: { addr: 'grpc://127.0.0.1:9090', service: 'api.v1' },
      tls: { ca: fx.ca.cert, expiry: { warning: 14 * 86_400_000 } },
      latency: { warning: 500 },
    });
    expect(() => parseConfig({ discovery: { rules: [{ ...grpcRule, url: 'dns://{name}.test' }] } })).toThrow(
      /`discovery\.rules\.0\.tls` \(rule "api"\) applies to https:\/\/, .* not to dns:\/\//,
    );
  });
});
