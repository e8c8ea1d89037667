import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { request } from 'undici';
import { assertTargetAllowed, compileTargetPolicy, type ResolveAll } from '../src/security/targets.js';
import { connectGuarded, createGuardedAgent } from '../src/security/connect-guard.js';
import { normalizeAddress } from '../src/security/addresses.js';
import { parseConfig } from '../src/config/load.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';

const fakeDns =
  (table: Record<string, string[]>): ResolveAll =>
  async (host) => {
    const addrs = table[host.toLowerCase()];
    if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
const dns = fakeDns({
  'v4.test': ['127.0.0.1'],
  'lan.test': ['10.1.2.3'],
  'v6.test': ['2001:db8::5'],
  'nat64meta.test': ['64:ff9b::a9fe:a9fe'],
});

const refusal = (url: string, policy: ReturnType<typeof compileTargetPolicy>) =>
  assertTargetAllowed(url, policy).then(
    () => undefined,
    (e: Error & { code?: string }) => e,
  );

// A real listener on 127.0.0.1 that counts who got through.
let server: net.Server;
let port = 0;
let accepted = 0;
beforeAll(async () => {
  server = net.createServer((s) => {
    accepted++;
    // A client that got what it wanted may reset the socket first.
    s.on('error', () => undefined);
    s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('a range applies to its own address family', () => {
  const sixOnly = compileTargetPolicy(['::/0'], dns);

  it.each([
    'http://127.0.0.1/',
    'http://10.0.0.1/',
    'http://[::ffff:10.0.0.1]/',
    'http://v4.test/',
    'http://lan.test/',
    'http://[64:ff9b::a00:1]/',
    'http://[::a00:1]/',
    'http://[2002:a00:1::1]/',
  ])('["::/0"] does not admit IPv4 %s, nor an IPv6 form carrying it', async (url) => {
    const err = await refusal(url, sixOnly);
    expect(err?.code).toBe('E_TARGET_REFUSED');
    expect(err?.message).toMatch(/not in targets\.allow \(::\/0\)/);
  });

  it('["::/0"] admits IPv6 addresses and names', async () => {
    await expect(assertTargetAllowed('http://[2001:db8::1]/', sixOnly)).resolves.toBeUndefined();
    await expect(assertTargetAllowed('http://v6.test/', sixOnly)).resolves.toBeUndefined();
  });

  it('an explicit ::ffff: range is the IPv4 range it maps', async () => {
    const mapped = compileTargetPolicy(['::ffff:10.0.0.0/104'], dns);
    await expect(assertTargetAllowed('http://10.200.0.1/', mapped)).resolves.toBeUndefined();
    await expect(assertTargetAllowed('http://[::ffff:10.9.9.9]/', mapped)).resolves.toBeUndefined();
    await expect(assertTargetAllowed('http://lan.test/', mapped)).resolves.toBeUndefined();
    expect((await refusal('http://11.0.0.1/', mapped))?.code).toBe('E_TARGET_REFUSED');
    expect((await refusal('http://[2001:db8::1]/', mapped))?.code).toBe('E_TARGET_REFUSED');
  });

  it('a ::ffff: range shorter than /96 is a config error naming it', () => {
    expect(() => parseConfig({ targets: { allow: ['::ffff:0:0/95'] } })).toThrow(/targets\.allow\.0.*::ffff:.*96-128/);
    expect(parseConfig({ targets: { allow: ['::ffff:10.0.0.0/104', '::/0'] } }).targets.allow).toHaveLength(2);
  });

  it('at connect time: the guarded agent and raw TCP refuse IPv4 under ["::/0"] without connecting', async () => {
    const before = accepted;
    const rebinding = compileTargetPolicy(['::/0', 'rebind.test'], fakeDns({ 'rebind.test': ['127.0.0.1'] }));
    const agent = createGuardedAgent(sixOnly);
    try {
      for (const url of [
        `http://127.0.0.1:${port}/`,
        `http://[::ffff:127.0.0.1]:${port}/`,
        `http://v4.test:${port}/`,
      ]) {
        const err = await request(url, { dispatcher: agent }).then(
          () => undefined,
          (e: Error & { code?: string }) => e,
        );
        expect(err?.code, url).toBe('E_TARGET_REFUSED');
      }
    } finally {
      await agent.close();
    }
    const outcome = (socket: net.Socket) =>
      new Promise<string>((resolve) => {
        socket.once('connect', () => (socket.destroy(), resolve('connected')));
        socket.once('error', (e: Error & { code?: string }) => resolve(e.code ?? e.message));
      });
    expect(await outcome(connectGuarded(sixOnly, { host: '127.0.0.1', port }))).toBe('E_TARGET_REFUSED');
    expect(await outcome(connectGuarded(sixOnly, { host: 'v4.test', port }))).toBe('E_TARGET_REFUSED');
    // A name on the list is admitted by name, whatever it resolves to (the always-refused ranges aside).
    expect(await outcome(connectGuarded(rebinding, { host: 'rebind.test', port }))).toBe('connected');
    expect(accepted).toBe(before + 1);
  });
});

// Targets refused whatever the allowlist, here one that admits every address.
const ALWAYS: Array<[string, RegExp]> = [
  ['http://[fd00:ec2::254]/latest/meta-data/', /fd00:ec2::254 is cloud metadata \(AWS IPv6\)/],
  ['http://100.100.100.200/latest/meta-data/', /100\.100\.100\.200 is cloud metadata \(Alibaba\)/],
  [
    'http://[64:ff9b::a9fe:a9fe]/',
    /64:ff9b::a9fe:a9fe \(NAT64 64:ff9b::\/96\) carrying 169\.254\.169\.254 is link-local/,
  ],
  ['http://[64:ff9b::169.254.169.254]/', /carrying 169\.254\.169\.254 is link-local/],
  ['http://[64:ff9b::e000:1]/', /carrying 224\.0\.0\.1 is multicast/],
  ['http://[::169.254.169.254]/', /::a9fe:a9fe \(IPv4-compatible ::\/96\) carrying 169\.254\.169\.254/],
  ['http://[::a9fe:a9fe]/', /IPv4-compatible/],
  ['http://[::0.0.0.2]/', /carrying 0\.0\.0\.2 is the unspecified address/],
  ['http://[2002:a9fe:a9fe::1]/', /6to4 2002::\/16\) carrying 169\.254\.169\.254/],
  ['http://[64:ff9b:1::a9fe:a9fe]/', /NAT64 local-use 64:ff9b:1::\/48\) carrying 169\.254\.169\.254/],
  ['http://[64:ff9b:1:abcd::6464:64c8]/', /carrying 100\.100\.100\.200 is cloud metadata/],
  ['http://nat64meta.test/', /resolves to 64:ff9b::a9fe:a9fe .*carrying 169\.254\.169\.254/],
];

describe('always refused: metadata and the IPv6 forms that carry a refused IPv4 address', () => {
  const everything = compileTargetPolicy(['0.0.0.0/0', '::/0', 'nat64meta.test'], dns);

  it.each(ALWAYS)('%s, even when targets.allow covers it', async (url, why) => {
    const err = await refusal(url, everything);
    expect(err?.code).toBe('E_TARGET_REFUSED');
    expect(err?.message).toMatch(why);
    expect(err?.message).toMatch(/always refused/);
  });

  it('the same at connect time, through the guarded agent and raw TCP', async () => {
    const agent = createGuardedAgent(everything);
    try {
      for (const [url] of ALWAYS) {
        const err = await request(url, { dispatcher: agent }).then(
          () => undefined,
          (e: Error & { code?: string }) => e,
        );
        expect(err?.code, url).toBe('E_TARGET_REFUSED');
      }
    } finally {
      await agent.close();
    }
    const socket = connectGuarded(everything, { host: '64:ff9b::a9fe:a9fe', port: 80 });
    const code = await new Promise<string | undefined>((resolve) =>
      socket.once('error', (e: Error & { code?: string }) => resolve(e.code)),
    );
    expect(code).toBe('E_TARGET_REFUSED');
  });

  it('ordinary IPv6 and NAT64 of an ordinary address stay ordinary', () => {
    expect(normalizeAddress('2001:db8::1')).toEqual({ address: '2001:db8::1', family: 'ipv6' });
    expect(normalizeAddress('::1')).toEqual({ address: '::1', family: 'ipv6' });
    expect(normalizeAddress('64:ff9b::c000:201')).toMatchObject({ address: '192.0.2.1', family: 'ipv4' });
  });
});

describe('the built daemon applies both rules at registration', () => {
  let d: RunningDaemon | undefined;
  afterAll(async () => {
    await d?.stop();
  });
  const post = (id: string, url: string) =>
    fetch(`${d!.url}/checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, url }),
    });

  it('targets.allow ["::/0"] refuses IPv4 targets (http, tcp, names) and admits IPv6 ones', async () => {
    d = await spawnDaemon({ targets: { allow: ['::/0'] } });
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `tcp://127.0.0.1:${port}`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://localhost:${port}/`,
      `http://[64:ff9b::7f00:1]:${port}/`,
    ]) {
      const res = await post('four', url);
      expect(res.status, url).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('E_TARGET_REFUSED');
    }
    expect((await post('six', `http://[::1]:${port}/`)).status).toBe(201);
    await d.stop();
    d = undefined;
  });

  it('targets.allow covering everything still refuses metadata and translation forms', async () => {
    d = await spawnDaemon({ targets: { allow: ['0.0.0.0/0', '::/0'] } });
    for (const [url, why] of ALWAYS.filter(([u]) => !u.includes('.test'))) {
      const res = await post('meta', url);
      expect(res.status, url).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(why);
    }
    expect(await (await fetch(`${d.url}/checks`)).json()).toEqual({});
  });
});
