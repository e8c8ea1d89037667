import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { assertTargetAllowed, compileTargetPolicy, type ResolveAll } from '../src/security/targets.js';
import { createGuardedAgent } from '../src/security/connect-guard.js';
import { normalizeAddress } from '../src/security/addresses.js';
import { parseConfig } from '../src/config/load.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';

// A DNS the test controls: names map to address lists; anything else is ENOTFOUND.
function fakeDns(table: Record<string, string[]>): ResolveAll {
  return async (host) => {
    const addrs = table[host.toLowerCase().replace(/\.$/, '')];
    if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

const dns = fakeDns({
  localhost: ['127.0.0.1', '::1'],
  'metadata.test': ['169.254.169.254'],
  'mixed.test': ['127.0.0.1', '169.254.169.254'],
  'lan.test': ['10.1.2.3'],
  'api.corp.test': ['10.9.9.9'],
  'mapped.test': ['::ffff:169.254.169.254'],
});

const refusedByDefault: Array<[string, RegExp]> = [
  ['http://169.254.169.254/latest/meta-data/', /link-local \(cloud metadata\)/],
  ['http://[fe80::1]/', /link-local/],
  ['http://0.0.0.0:80/', /unspecified/],
  ['http://0/', /unspecified/],
  ['http://[::]/', /unspecified/],
  ['http://224.0.0.1/', /multicast/],
  ['http://[ff02::1]/', /multicast/],
  ['http://[::ffff:169.254.169.254]/', /169\.254\.169\.254 is link-local/],
  ['http://[0:0:0:0:0:ffff:a9fe:a9fe]/', /169\.254\.169\.254 is link-local/],
  ['http://2852039166/', /169\.254\.169\.254 is link-local/],
  ['http://0xa9.0xfe.0xa9.0xfe/', /169\.254\.169\.254 is link-local/],
  ['http://10.0.0.1/', /not in targets\.allow/],
  ['http://[::ffff:10.0.0.1]/', /10\.0\.0\.1 is not in targets\.allow/],
  ['http://[2001:db8::1]/', /not in targets\.allow/],
  ['http://metadata.test/', /resolves to 169\.254\.169\.254 is link-local/],
  ['http://mixed.test/', /resolves to 169\.254\.169\.254/],
  ['http://mapped.test/', /resolves to 169\.254\.169\.254/],
  ['http://lan.test/', /resolves to 10\.1\.2\.3 is not in targets\.allow/],
  ['http://nowhere.test/', /does not resolve \(ENOTFOUND\)/],
];

const allowedByDefault = [
  'http://127.0.0.1:8080/status',
  'http://0x7f.1/',
  'http://2130706433/',
  'http://127.1/',
  'http://[::1]:9000/',
  'http://[::ffff:127.0.0.1]/',
  'http://localhost/',
  'https://LOCALHOST./',
];

describe('target rules (default allowlist: loopback only)', () => {
  const policy = compileTargetPolicy(undefined, dns);

  it.each(refusedByDefault)('refuses %s', async (url, why) => {
    const err = await assertTargetAllowed(url, policy).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).toBe('E_TARGET_REFUSED');
    expect(err?.message).toMatch(why);
    expect(err?.message).toContain('target ');
  });

  it.each(allowedByDefault)('allows %s', async (url) => {
    await expect(assertTargetAllowed(url, policy)).resolves.toBeUndefined();
  });

  it('normalizes mapped IPv6 in every spelling to IPv4', () => {
    expect(normalizeAddress('[::ffff:7f00:1]')).toEqual({ address: '127.0.0.1', family: 'ipv4' });
    expect(normalizeAddress('::FFFF:169.254.169.254')).toEqual({ address: '169.254.169.254', family: 'ipv4' });
    expect(normalizeAddress('0:0:0:0:0:0:0:1')).toEqual({ address: '::1', family: 'ipv6' });
  });
});

describe('targets.allow', () => {
  const policy = compileTargetPolicy(['10.0.0.0/8', 'api.corp.test', '*.svc.test', '169.254.0.0/16', '::/0'], dns);

  it('admits CIDRs and names on the list', async () => {
    await assertTargetAllowed('http://10.200.0.1/', policy);
    await assertTargetAllowed('http://lan.test/', policy);
    await assertTargetAllowed('http://api.corp.test/', policy);
  });

  it('a name on the list may be registered before it resolves', async () => {
    await assertTargetAllowed('http://db.svc.test/', policy);
  });

  it('never admits metadata, unspecified or multicast, even when the list covers them', async () => {
    for (const url of [
      'http://169.254.169.254/',
      'http://[::]/',
      'http://[ff02::1]/',
      'http://[fe80::1]/',
      'http://metadata.test/',
    ]) {
      await expect(assertTargetAllowed(url, policy), url).rejects.toMatchObject({ code: 'E_TARGET_REFUSED' });
    }
  });

  it('bad entries are config errors naming the key and value', () => {
    expect(() => parseConfig({ targets: { allow: ['10.0.0.0/33'] } })).toThrow(
      /targets\.allow\.0.*prefix.*"10\.0\.0\.0\/33"/,
    );
    expect(() => parseConfig({ targets: { allow: ['http://x/'] } })).toThrow(/targets\.allow\.0/);
    expect(parseConfig({}).targets.allow).toEqual(['127.0.0.0/8', '::1']);
  });
});

describe('registration enforces the rules (400 naming the target, nothing stored)', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://metadata.test/x',
    'http://10.0.0.1/',
  ])('refuses %s', async (url) => {
    t = await makeTestApp({}, undefined, { resolve: dns });
    const res = await t.request
      .post('/checks')
      .send({ id: 'evil', url: { addr: url } })
      .expect(400);
    expect(res.body.code).toBe('E_TARGET_REFUSED');
    expect(res.body.error).toContain(new URL(url).host);
    expect(t.table.size).toBe(0);
    expect((await t.request.get('/checks')).body).toEqual({});
  });
});

describe('connect time (DNS rebinding, literals)', () => {
  let t: TestApp | undefined;
  let svc: FakeService;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await svc.close();
  });

  it(
    'a name that resolved to loopback at registration and to metadata at connect turns Critical ' +
      'without connecting',
    async () => {
      svc = await startFakeService();
      let lookups = 0;
      // The first answer (registration) is loopback; every later one (connect) is the metadata address.
      const rebinding: ResolveAll = async () => [
        { address: lookups++ === 0 ? '127.0.0.1' : '169.254.169.254', family: 4 },
      ];
      t = await makeTestApp({}, undefined, { resolve: rebinding });
      await t.request
        .post('/checks')
        .send({ id: 'rebind', url: `http://rebind.test:${svc.port}/status` })
        .expect(201);
      const state = await waitFor(() => {
        const s = t?.table.get('rebind');
        return s?.result !== undefined && s;
      }, 10_000);
      expect(state.status).toBe('Critical');
      expect(state.result?.code).toBe('E_TARGET_REFUSED');
      expect(state.message).toMatch(/refused at connect: rebind\.test resolves to 169\.254\.169\.254 is link-local/);
      expect(lookups).toBeGreaterThanOrEqual(2);
      expect(svc.hits).toBe(0);
    },
  );

  it('the agent refuses literal addresses outside the allowlist before connecting', async () => {
    svc = await startFakeService();
    const agent = createGuardedAgent(compileTargetPolicy(['10.0.0.0/8'], dns));
    try {
      for (const host of ['127.0.0.1', '[::ffff:127.0.0.1]', '169.254.169.254']) {
        const err = await request(`http://${host}:${svc.port}/status`, { dispatcher: agent }).then(
          () => undefined,
          (e: Error & { code?: string }) => e,
        );
        expect(err?.code, host).toBe('E_TARGET_REFUSED');
      }
      expect(svc.hits).toBe(0);
    } finally {
      await agent.close();
    }
  });

  it('the agent connects to allowed names and literals', async () => {
    svc = await startFakeService();
    const agent = createGuardedAgent(compileTargetPolicy(undefined, dns));
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const res = await request(`http://${host}:${svc.port}/status`, { dispatcher: agent });
        expect(res.statusCode).toBe(200);
        await res.body.dump();
      }
    } finally {
      await agent.close();
    }
  });
});

describe('raw TCP connections (connectGuarded)', () => {
  const outcome = (socket: import('node:net').Socket) =>
    new Promise<string>((resolve) => {
      socket.once('connect', () => (socket.destroy(), resolve('connected')));
      socket.once('error', (e: Error & { code?: string }) => resolve(e.code ?? e.message));
    });

  it('connects to allowed literals and names, refuses the rest before dialling', async () => {
    const { connectGuarded } = await import('../src/security/connect-guard.js');
    const net = await import('node:net');
    let accepted = 0;
    const server = net.createServer((s) => (accepted++, s.destroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    try {
      const loopback = compileTargetPolicy(
        undefined,
        fakeDns({ 'svc.test': ['127.0.0.1'], 'meta.test': ['169.254.169.254'] }),
      );
      expect(await outcome(connectGuarded(loopback, { host: '127.0.0.1', port }))).toBe('connected');
      expect(await outcome(connectGuarded(loopback, { host: 'svc.test', port }))).toBe('connected');
      expect(await outcome(connectGuarded(loopback, { host: 'meta.test', port }))).toBe('E_TARGET_REFUSED');
      expect(await outcome(connectGuarded(loopback, { host: '169.254.169.254', port }))).toBe('E_TARGET_REFUSED');
      expect(await outcome(connectGuarded(loopback, { host: '[::ffff:a9fe:a9fe]', port }))).toBe('E_TARGET_REFUSED');
      const lanOnly = compileTargetPolicy(['10.0.0.0/8'], dns);
      expect(await outcome(connectGuarded(lanOnly, { host: '127.0.0.1', port }))).toBe('E_TARGET_REFUSED');
      await waitFor(() => accepted >= 2, 10_000);
      expect(accepted).toBe(2);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('tcp:// checks follow the same rules', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it.each([
    'tcp://169.254.169.254:80',
    'tcp://[::ffff:a9fe:a9fe]:80',
    'tcp://0x7f.0.0.0x1:1',
    'tcp://10.0.0.1:5432',
    'tcp://metadata.test:80',
  ])('refuses %s at registration unless allowed', async (url) => {
    t = await makeTestApp({}, undefined, { resolve: dns });
    const res = await t.request.post('/checks').send({ id: 'tcp', url });
    // 0x7f.0.0.0x1 is 127.0.0.1: loopback, allowed.
    if (url.includes('0x7f')) expect(res.status).toBe(201);
    else {
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('E_TARGET_REFUSED');
      expect(t.table.size).toBe(0);
    }
  });

  it('a tcp name that rebinds to metadata after registration is refused at connect, without connecting', async () => {
    const net = await import('node:net');
    let accepted = 0;
    const server = net.createServer((s) => (accepted++, s.destroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as import('node:net').AddressInfo).port;
    try {
      let lookups = 0;
      const rebinding: ResolveAll = async () => [
        { address: lookups++ === 0 ? '127.0.0.1' : '169.254.169.254', family: 4 },
      ];
      t = await makeTestApp({}, undefined, { resolve: rebinding });
      await t.request
        .post('/checks')
        .send({ id: 'tcp', url: `tcp://rebind.test:${port}` })
        .expect(201);
      const state = await waitFor(() => {
        const s = t?.table.get('tcp');
        return s?.result !== undefined && s;
      }, 10_000);
      expect(state.status).toBe('Critical');
      expect(state.result?.code).toBe('E_TARGET_REFUSED');
      expect(accepted).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
