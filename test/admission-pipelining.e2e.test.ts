import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { indexOf, metric, requestFrom, streamFrom } from './helpers/clients.js';
import { waitFor } from './helpers/wait.js';

// Spawns the BUILT daemon: `npm test` builds first (or run `npm run build`).
let d: RunningDaemon | undefined;
afterEach(async () => {
  await d?.stop();
  d = undefined;
});

/** One raw connection from `from` that writes `text` at once and notes when the daemon closes it. */
function pipeline(port: number, from: string, text: string) {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress: from });
  let received = '';
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (received += d));
  // The daemon closes the connection while it is still being written to: EPIPE or ECONNRESET.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(text);
  return { socket, closed, received: () => received };
}

describe('one held request per connection (HTTP/1.1 pipelining)', () => {
  it(
    '200 000 pipelined blocking queries on one socket hold at ' +
      'most one request; the connection is closed and nothing stays held',
    async () => {
      d = await spawnDaemon();
      const index = await indexOf(d.url);
      const one = `GET /?index=${index}&wait=10m HTTP/1.1\r\nHost: megaphone\r\n\r\n`;
      const flood = pipeline(d.port, '127.0.0.2', one.repeat(200_000));
      // Before the fix every request was held (each got a timer, ~2.5 KB) and the socket stayed open for 10 minutes.
      await flood.closed;
      expect(await metric(d.url, 'megaphone_feed_waiting')).toBe(0);
      expect(await metric(d.url, 'megaphone_held_connections{kind="hold"}')).toBe(0);
      expect(await metric(d.url, 'megaphone_admission_refused_total{reason="pipelined"}')).toBeGreaterThanOrEqual(1);
      // The load balancer's plain request from another address is answered; the flooding address may
      // connect again after a second (each flood costs the daemon a 64 KB read of requests).
      expect((await requestFrom(d.port, '127.0.0.1', '/').done).status).toBe(200);
      const port = d.port;
      await waitFor(async () => (await requestFrom(port, '127.0.0.2', '/').done).status === 200, 10_000, 200);
    },
  );

  it('a held request is released when its socket closes, and requests after an answered hold are served', async () => {
    d = await spawnDaemon();
    const url = d.url;
    const index = await indexOf(url);
    const held = requestFrom(d.port, '127.0.0.2', `/?index=${index}&wait=10m`);
    held.done.catch(() => undefined);
    await waitFor(async () => (await metric(url, 'megaphone_feed_waiting')) === 1, 10_000);
    held.close();
    await waitFor(async () => (await metric(url, 'megaphone_feed_waiting')) === 0, 10_000);
    expect(await metric(url, 'megaphone_held_connections{kind="hold"}')).toBe(0);

    // A short wait, then a plain request on the same keep-alive connection: one after the other is not pipelining.
    const serial = pipeline(d.port, '127.0.0.2', `GET /?index=${index}&wait=200ms HTTP/1.1\r\nHost: m\r\n\r\n`);
    await waitFor(() => serial.received().includes('"status"'), 10_000);
    serial.socket.write('GET / HTTP/1.1\r\nHost: m\r\n\r\n');
    await waitFor(() => serial.received().split('HTTP/1.1 200').length === 3, 10_000);
    serial.socket.destroy();
  });

  it(
    '1 000 pipelined GET /events on one socket, then close: ' + 'no stream stays open, and a new /events is served',
    async () => {
      d = await spawnDaemon();
      const url = d.url;
      const flood = pipeline(d.port, '127.0.0.2', 'GET /events HTTP/1.1\r\nHost: megaphone\r\n\r\n'.repeat(1000));
      // The daemon closes it itself (before the fix it kept it, one stream per request, and never forgot 999 of them).
      await Promise.race([flood.closed, waitFor(() => flood.received().includes('retry: 5000'), 10_000)]);
      flood.socket.destroy();
      await waitFor(async () => (await metric(url, 'megaphone_event_streams')) === 0, 10_000);
      expect(await metric(url, 'megaphone_held_connections{kind="stream"}')).toBe(0);
      const fresh = streamFrom(d.port, '127.0.0.1');
      expect((await fresh.response).statusCode).toBe(200);
      await waitFor(async () => (await metric(url, 'megaphone_event_streams')) === 1, 10_000);
      fresh.close();
    },
  );
});
