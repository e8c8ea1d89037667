import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { idleSockets, indexOf, metric, requestFrom, streamFrom, type Reply } from './helpers/clients.js';
import { waitFor } from './helpers/wait.js';

// Small budgets so the test fills them quickly; the daemon derives the real ones from `ulimit -n`.
const LIMITS = { connectionsPerClient: 20, heldPerClient: 10, connections: 96, heldTotal: 30 };

let d: RunningDaemon;
const open: Array<{ close: () => void }> = [];
const sockets: net.Socket[] = [];
beforeAll(async () => {
  d = await spawnDaemon({ limits: LIMITS, groups: { web: { checks: ['web-*'] } } });
});
afterAll(async () => {
  for (const o of open) o.close();
  for (const s of sockets) s.destroy();
  await d?.stop();
});

/** `n` blocking queries on `/` from `from`, each on its own connection; waits until the daemon holds them. */
async function hold(from: string, n: number): Promise<void> {
  const before = await metric(d.url, 'megaphone_feed_waiting');
  const index = await indexOf(d.url);
  for (let i = 0; i < n; i++) {
    const r = requestFrom(d.port, from, `/?index=${index}&wait=10m`);
    r.done.catch(() => undefined);
    open.push(r);
  }
  await waitFor(async () => (await metric(d.url, 'megaphone_feed_waiting')) === before + n, 10_000);
}

const refusal = (r: Reply) => ({
  status: r.status,
  retryAfter: r.headers['retry-after'],
  code: (JSON.parse(r.body) as { code: string }).code,
});

/** What the load balancers ask, from `from`: each must be answered. */
async function balancer(from: string): Promise<number[]> {
  const asks: Array<[string, string]> = [
    ['GET', '/'],
    ['HEAD', '/'],
    ['OPTIONS', '/'],
    ['GET', '/groups/web'],
    ['HEAD', '/groups/web'],
  ];
  return Promise.all(
    asks.map(async ([method, path]) => (await requestFrom(d.port, from, path, { method }).done).status),
  );
}

describe('one budget for everything that holds a connection', () => {
  it(
    'a client holds at most limits.heldPerClient: the next ' + 'blocking query or stream gets 429 with Retry-After',
    async () => {
      await hold('127.0.0.2', LIMITS.heldPerClient);
      const index = await indexOf(d.url);
      expect(refusal(await requestFrom(d.port, '127.0.0.2', `/?index=${index}&wait=10m`).done)).toEqual({
        status: 429,
        retryAfter: '5',
        code: 'E_TOO_MANY_HELD',
      });
      // The Koa routes (another representation, a group) and /events take from the same budget.
      const koa = await requestFrom(d.port, '127.0.0.2', `/groups/web?index=1&wait=1m&format=json`).done;
      expect(koa.status).toBe(200);
      const groupIndex = await indexOf(d.url, '/groups/web');
      const group = await requestFrom(d.port, '127.0.0.2', `/groups/web?index=${groupIndex}&wait=1m&format=text`).done;
      expect(refusal(group)).toMatchObject({ status: 429, code: 'E_TOO_MANY_HELD' });
      const stream = streamFrom(d.port, '127.0.0.2');
      open.push(stream);
      expect((await stream.response).statusCode).toBe(429);
      // Its sockets fill up with idle ones: a plain request from the same address still gets in (an idle one goes).
      sockets.push(...(await idleSockets(d.port, '127.0.0.2', LIMITS.connectionsPerClient - LIMITS.heldPerClient)));
      expect(await balancer('127.0.0.2')).toEqual([200, 200, 200, 200, 200]);
      // /metrics renders at most once a second: wait for the next rendering.
      await waitFor(async () => (await metric(d.url, 'megaphone_admission_refused_total{reason="client_held"}')) >= 3);
    },
  );

  it(
    'when held connections fill limits.heldTotal the newest holder ' + 'gets 503, and the balancers still get answers',
    async () => {
      // 127.0.0.2 holds its 10 already; two more addresses fill the global budget of 30.
      await hold('127.0.0.3', LIMITS.heldPerClient);
      await hold('127.0.0.4', LIMITS.heldPerClient);
      const index = await indexOf(d.url);
      expect(refusal(await requestFrom(d.port, '127.0.0.5', `/?index=${index}&wait=10m`).done)).toEqual({
        status: 503,
        retryAfter: '5',
        code: 'E_SERVER_BUSY',
      });
      // Idle connections from more addresses push past limits.connections: idle ones of the heaviest go first.
      for (const from of ['127.0.0.6', '127.0.0.7', '127.0.0.8', '127.0.0.9'])
        sockets.push(...(await idleSockets(d.port, from, LIMITS.connectionsPerClient)));
      await waitFor(async () => (await metric(d.url, 'megaphone_connections_evicted_total')) > 1, 10_000);
      expect(await metric(d.url, 'megaphone_connections')).toBeLessThanOrEqual(LIMITS.connections);
      expect(await balancer('127.0.0.1')).toEqual([200, 200, 200, 200, 200]);
      expect(await balancer('127.0.0.10')).toEqual([200, 200, 200, 200, 200]);
      // What is held stays held: the newest were refused, not the oldest.
      await waitFor(async () => (await metric(d.url, 'megaphone_admission_refused_total{reason="held_total"}')) >= 1);
      expect(await metric(d.url, 'megaphone_held_connections{kind="hold"}')).toBe(LIMITS.heldTotal);
    },
  );

  it('slots come back when their sockets close', async () => {
    for (const o of open.splice(0)) o.close();
    await waitFor(async () => (await metric(d.url, 'megaphone_held_connections{kind="hold"}')) === 0, 10_000);
    const index = await indexOf(d.url);
    const again = requestFrom(d.port, '127.0.0.5', `/?index=${index}&wait=300ms`);
    expect((await again.done).status).toBe(200);
  });
});

/** A write whose body never finishes arriving, from `from`; what the daemon answers, as text. */
function slowBody(from: string) {
  const socket = net.connect({ host: '127.0.0.1', port: d.port, localAddress: from });
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(
    'POST /checks HTTP/1.1\r\nHost: m\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id": ',
  );
  sockets.push(socket);
  return { socket, closed, text: () => text };
}

describe('a request body still arriving after a second', () => {
  it('holds a slot of its client: the next gets 429 and its connection closed; the slots come back', async () => {
    const slow = Array.from({ length: LIMITS.heldPerClient }, () => slowBody('127.0.0.11'));
    await waitFor(async () => (await metric(d.url, 'megaphone_held_connections{kind="body"}')) === 10, 10_000, 200);
    const refused = slowBody('127.0.0.11');
    await refused.closed;
    expect(refused.text()).toMatch(/^HTTP\/1\.1 429 /);
    expect(refused.text()).toContain('Retry-After: 5');
    expect(refused.text()).toContain('"code":"E_TOO_MANY_HELD"');
    // Another client's plain request is not held up.
    expect((await requestFrom(d.port, '127.0.0.12', '/').done).status).toBe(200);
    for (const s of slow) s.socket.destroy();
    await waitFor(async () => (await metric(d.url, 'megaphone_held_connections{kind="body"}')) === 0, 10_000, 200);
  });
});

describe('a blocking query without index (Consul clients)', () => {
  it.each(['/', '/groups/web', '/?format=json', '/groups/web?format=health'])(
    '%s with only `wait` is answered at once with X-Megaphone-Index; a malformed wait is 400',
    async (path) => {
      const sep = path.includes('?') ? '&' : '?';
      const res = await requestFrom(d.port, '127.0.0.1', `${path}${sep}wait=30s`).done;
      expect(res.status).toBe(200);
      expect(Number(res.headers['x-megaphone-index'])).toBeGreaterThan(0);
      const bad = await requestFrom(d.port, '127.0.0.1', `${path}${sep}wait=soon`).done;
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body)).toMatchObject({ code: 'E_BAD_WAIT', error: expect.stringContaining('"soon"') });
    },
  );
});
