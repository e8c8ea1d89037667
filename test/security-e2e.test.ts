import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { tempDir } from './helpers/app.js';
import { waitFor } from './helpers/wait.js';

const TOKEN = 'e2e-token-0123456789abcdef';
let d: RunningDaemon | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

beforeAll(async () => {
  // The loopback alias the slowloris connects from must be usable (any 127/8 address is on Linux).
  await new Promise<void>((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const c = net.connect({
        host: '127.0.0.1',
        port: (s.address() as net.AddressInfo).port,
        localAddress: '127.0.0.2',
      });
      c.once('connect', () => (c.destroy(), s.close(), resolve()));
      c.once('error', (e) => (s.close(), reject(e)));
    });
  });
});

describe('the daemon with auth.tokenFile and requireTokenOnLoopback', () => {
  it('refuses writes without the token, accepts them with it, and never logs it', async () => {
    const dir = tempDir('megaphone-auth-');
    writeFileSync(path.join(dir, 'token'), `${TOKEN}\n`);
    d = await spawnDaemon({ auth: { tokenFile: 'token', requireTokenOnLoopback: true } }, { dir });
    const body = JSON.stringify({ id: 'a', url: 'http://127.0.0.1:1/' });
    const post = (headers: Record<string, string>) =>
      fetch(`${d!.url}/checks`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const refused = await post({});
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'E_FORBIDDEN' });
    expect((await post({ authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(403);
    expect((await post({ authorization: `Bearer ${TOKEN}` })).status).toBe(201);
    await waitFor(async () => (await fetch(`${d!.url}/`)).status === 503, 10_000);
    await d.stop();
    expect(d.logs()).not.toContain(TOKEN);
  });
});

describe('the daemon with targets.allow from its config', () => {
  it('refuses loopback when the list does not name it, and metadata always', async () => {
    d = await spawnDaemon({ targets: { allow: ['192.0.2.0/24'] } });
    const post = (url: string) =>
      fetch(`${d!.url}/checks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'x', url }),
      });
    const loop = await post('http://127.0.0.1:9/status');
    expect(loop.status).toBe(400);
    expect(await loop.json()).toMatchObject({
      code: 'E_TARGET_REFUSED',
      error: expect.stringContaining('127.0.0.1:9'),
    });
    expect((await post('http://[::ffff:169.254.169.254]/latest/meta-data/')).status).toBe(400);
    expect((await post('http://192.0.2.10:9/status')).status).toBe(201);
  });
});

function slowSockets(port: number, n: number) {
  const state = { closed: 0, got408: 0, sockets: [] as net.Socket[] };
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      if (d.toString().startsWith('HTTP/1.1 408')) state.got408++;
    });
    s.on('close', () => state.closed++);
    // Headers that never finish.
    s.on('connect', () => s.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    state.sockets.push(s);
  }
  return state;
}

describe('a slowloris on the API', () => {
  it(
    'cannot starve GET /: a client gets limits.connectionsPerClient sockets, the rest are closed ' + 'at once',
    async () => {
      d = await spawnDaemon({ limits: { headersTimeout: '60s', requestTimeout: '60s', connectionsPerClient: 50 } });
      const slow = slowSockets(d.port, 300);
      await waitFor(() => slow.closed >= 250, 10_000);
      const latencies: number[] = [];
      for (let i = 0; i < 100; i++) {
        const started = performance.now();
        const res = await fetch(`${d.url}/`);
        await res.text();
        expect(res.status).toBe(200);
        latencies.push(performance.now() - started);
      }
      latencies.sort((a, b) => a - b);
      console.log(
        `GET / while a slowloris holds 50 sockets (250 more refused): p50 ${latencies[50]?.toFixed(1)} ms, p99 ` +
          `${latencies[98]?.toFixed(1)} ms`,
      );
      // The 50 within the cap are still held (headersTimeout is 60 s here): the cap, not the timeout,
      // closed the others.
      expect(slow.closed).toBe(250);
      for (const s of slow.sockets) s.destroy();
    },
  );

  it('sockets that never finish their headers get 408 and are closed after limits.headersTimeout', async () => {
    d = await spawnDaemon({ limits: { headersTimeout: '1s', requestTimeout: '2s' } });
    const slow = slowSockets(d.port, 40);
    await waitFor(() => slow.closed === 40, 15_000);
    expect(slow.got408).toBe(40);
    expect((await fetch(`${d.url}/`)).status).toBe(200);
  });
});
