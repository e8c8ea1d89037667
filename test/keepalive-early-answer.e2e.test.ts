import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { tempDir } from './helpers/app.js';

// Spawns the BUILT daemon: `npm test` builds first (or run `npm run build`).
let d: RunningDaemon;
beforeAll(async () => {
  const dir = tempDir('megaphone-keepalive-');
  writeFileSync(path.join(dir, 'token'), 'keepalive-token-0123456789\n');
  // Loopback needs the token too, so a write without it is answered 403 before its body is read.
  d = await spawnDaemon({ auth: { tokenFile: 'token', requireTokenOnLoopback: true } }, { dir });
});
afterAll(async () => {
  await d?.stop();
});

const AUTH = { authorization: 'Bearer keepalive-token-0123456789' };

interface Answer {
  status: number;
  body: string;
  connection: string | undefined;
}

/**
 * One request through a keep-alive agent with a single socket, as a real client pool does. A request
 * that gets no answer fails after `limitMs` (the daemon's keep-alive timeout is 5 s; a hang outlasts it).
 */
function send(
  agent: http.Agent,
  method: string,
  urlPath: string,
  headers: Record<string, string>,
  body?: Buffer | Buffer[],
  limitMs = 8000,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${d.url}${urlPath}`, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${method} ${urlPath}: no answer within ${limitMs} ms on a kept-alive socket`));
    }, limitMs);
    // A write cut short by the daemon closing the socket is fine: the answer has arrived by then.
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else req.end(body);
  });
}

const json = { 'content-type': 'application/json' };
const big = Buffer.from(JSON.stringify({ id: 'big', url: 'http://127.0.0.1:9/', pad: 'x'.repeat(100_000) }));
// Bigger than the socket buffers: the daemon must stop reading, or drain, for the client to finish sending.
const huge = Buffer.alloc(4 * 1024 * 1024, 'x');
const smallJson = Buffer.from(JSON.stringify({ id: 'a', url: 'http://127.0.0.1:9/' }));

// [what, method, path, headers, body, expected status]
const EARLY: Array<[string, string, string, Record<string, string>, Buffer | Buffer[], number]> = [
  ['a 100 KB body (413, Content-Length)', 'POST', '/checks', { ...json, ...AUTH }, big, 413],
  [
    'a 100 KB chunked body (413)',
    'POST',
    '/checks',
    { ...json, ...AUTH },
    [big.subarray(0, 40_000), big.subarray(40_000)],
    413,
  ],
  ['a 4 MB body (413, Content-Length)', 'POST', '/checks', { ...json, ...AUTH }, huge, 413],
  [
    'a 4 MB chunked body (413)',
    'POST',
    '/checks',
    { ...json, ...AUTH },
    [huge.subarray(0, 1000), huge.subarray(1000)],
    413,
  ],
  ['a 4 MB write without the token (403)', 'PUT', '/maintenance', json, huge, 403],
  ['a write without the token (403)', 'POST', '/checks', json, smallJson, 403],
  ['a text/plain body (415)', 'POST', '/checks', { 'content-type': 'text/plain', ...AUTH }, smallJson, 415],
  [
    'a text/plain write to an unknown route (415 before the 404)',
    'PUT',
    '/nowhere',
    { 'content-type': 'text/plain', ...AUTH },
    big,
    415,
  ],
];

/** A keep-alive agent with one socket that counts the connections it opens. */
function countingAgent(): { agent: http.Agent; connections: () => number } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let n = 0;
  const create = agent.createConnection.bind(agent);
  agent.createConnection = ((...args: Parameters<typeof create>) => (
    n++,
    create(...args)
  )) as typeof agent.createConnection;
  return { agent, connections: () => n };
}

describe('an answer sent before the request body was read', () => {
  it.each(EARLY)(
    '%s: the rest of the body is drained and the next request on the same socket is answered',
    async (_what, method, urlPath, headers, body, status) => {
      const { agent, connections } = countingAgent();
      try {
        const early = await send(agent, method, urlPath, headers, body);
        expect(early.status).toBe(status);
        const next = await send(agent, 'GET', '/', {});
        expect(next.status).toBe(200);
        expect(JSON.parse(next.body)).toMatchObject({ status: 'Unknown' });
        expect(connections()).toBe(1);
      } finally {
        agent.destroy();
      }
    },
  );

  it(
    'a body declared over 8 MB gets Connection: close instead, and the client carries on with a ' + 'new connection',
    async () => {
      const { agent, connections } = countingAgent();
      try {
        // The daemon stops reading: the client may see its upload cut short (EPIPE/ECONNRESET) rather than the 413.
        const early = await send(
          agent,
          'POST',
          '/checks',
          { ...json, ...AUTH },
          Buffer.alloc(16 * 1024 * 1024, 'x'),
        ).catch((e: NodeJS.ErrnoException) => e.code);
        if (typeof early === 'string') expect(['EPIPE', 'ECONNRESET']).toContain(early);
        else expect(early).toMatchObject({ status: 413, connection: 'close' });
        expect((await send(agent, 'GET', '/', {})).status).toBe(200);
        expect(connections()).toBe(2);
      } finally {
        agent.destroy();
      }
    },
  );

  it('an answer after the whole body was read keeps the connection as it is', async () => {
    const { agent, connections } = countingAgent();
    try {
      const bad = await send(
        agent,
        'POST',
        '/checks',
        { ...json, ...AUTH },
        Buffer.from('{"id": "a b", "url": "http://127.0.0.1:9/"}'),
      );
      expect(bad.status).toBe(400);
      expect(bad.connection).toBe('keep-alive');
      expect((await send(agent, 'GET', '/', {})).status).toBe(200);
      expect(connections()).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});
