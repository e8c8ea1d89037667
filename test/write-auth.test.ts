import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'koa';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.js';
import { parseConfig } from '../src/config/load.js';
import { resolveWritePolicy } from '../src/security/write-auth.js';
import { ConfigError } from '../src/lib/errors.js';

const TOKEN = 'correct-horse-battery-staple-42';
const body = { id: 'bar', url: 'http://127.0.0.1:1/status' };

// The peer address the app sees comes from this header: a test hook standing in for the socket.
const peerFromHeader = (ctx: Context) => ctx.get('x-test-peer') || ctx.req.socket.remoteAddress;

let t: TestApp;
afterEach(async () => t.close());

async function app(token?: string, requireTokenOnLoopback = false) {
  // The config as an operator writes it; only the peer address is a test hook.
  const auth = token === undefined ? {} : { auth: { token, requireTokenOnLoopback } };
  t = await makeTestApp(auth, undefined, { peerAddress: peerFromHeader });
  return t;
}

describe('who may write', () => {
  const cases: Array<{
    name: string;
    token?: string;
    loopbackToo?: boolean;
    peer: string;
    auth?: string;
    expect: number;
    error?: RegExp;
  }> = [
    { name: 'loopback IPv4 without a token', peer: '127.0.0.1', expect: 201 },
    { name: 'loopback 127.8.9.10 without a token', peer: '127.8.9.10', expect: 201 },
    { name: 'loopback ::1 without a token', peer: '::1', expect: 201 },
    { name: 'mapped loopback ::ffff:127.0.0.1', peer: '::ffff:127.0.0.1', expect: 201 },
    {
      name: 'a remote peer when no token is configured',
      peer: '10.0.0.7',
      expect: 403,
      error: /only from loopback.*auth\.token/,
    },
    {
      name: 'a remote peer even with a header when no token is configured',
      peer: '10.0.0.7',
      auth: `Bearer ${TOKEN}`,
      expect: 403,
    },
    {
      name: 'a remote peer with the right token',
      token: TOKEN,
      peer: '10.0.0.7',
      auth: `Bearer ${TOKEN}`,
      expect: 201,
    },
    {
      name: 'a remote IPv6 peer with the right token (scheme any case)',
      token: TOKEN,
      peer: '2001:db8::5',
      auth: `bearer ${TOKEN}`,
      expect: 201,
    },
    {
      name: 'a remote peer with no token',
      token: TOKEN,
      peer: '10.0.0.7',
      expect: 403,
      error: /need an Authorization: Bearer/,
    },
    {
      name: 'a remote peer with a wrong token',
      token: TOKEN,
      peer: '10.0.0.7',
      auth: 'Bearer not-the-right-token-at-all',
      expect: 403,
      error: /not valid/,
    },
    {
      name: 'a remote peer with a prefix of the token',
      token: TOKEN,
      peer: '10.0.0.7',
      auth: `Bearer ${TOKEN.slice(0, -1)}`,
      expect: 403,
    },
    {
      name: 'a remote peer with Basic auth',
      token: TOKEN,
      peer: '10.0.0.7',
      auth: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
      expect: 403,
      error: /must be "Bearer <token>"/,
    },
    {
      name: 'loopback without a token when requireTokenOnLoopback',
      token: TOKEN,
      loopbackToo: true,
      peer: '127.0.0.1',
      expect: 403,
    },
    {
      name: 'loopback with the token when requireTokenOnLoopback',
      token: TOKEN,
      loopbackToo: true,
      peer: '127.0.0.1',
      auth: `Bearer ${TOKEN}`,
      expect: 201,
    },
  ];

  it.each(cases)('POST from $name → $expect', async (c) => {
    await app(c.token, c.loopbackToo);
    let req = t.request.post('/checks').set('x-test-peer', c.peer);
    if (c.auth) req = req.set('authorization', c.auth);
    const res = await req.send(body);
    expect(res.status).toBe(c.expect);
    if (c.expect === 403) {
      expect(res.body.code).toBe('E_FORBIDDEN');
      if (c.error) expect(res.body.error).toMatch(c.error);
      expect(JSON.stringify(res.body)).not.toContain(TOKEN);
      expect(t.table.size).toBe(0);
    } else {
      expect(t.table.get('bar')).toBeDefined();
    }
  });

  it('DELETE is a write too; a refused one leaves the check', async () => {
    await app(TOKEN);
    await t.request.post('/checks').send(body).expect(201);
    const res = await t.request.delete('/checks/bar').set('x-test-peer', '192.0.2.1').expect(403);
    expect(res.body.code).toBe('E_FORBIDDEN');
    expect(t.table.get('bar')).toBeDefined();
    await t.request
      .delete('/checks/bar')
      .set('x-test-peer', '192.0.2.1')
      .set('authorization', `Bearer ${TOKEN}`)
      .expect(204);
  });

  it('maintenance and push reports are writes too', async () => {
    await app(TOKEN);
    await t.request.post('/checks').send({ id: 'backup', ttl: '30s' }).expect(201);
    const remote = (req: import('supertest').Test) => req.set('x-test-peer', '198.51.100.4');
    const before = (await t.request.get('/maintenance').expect(200)).body;
    expect((await remote(t.request.put('/maintenance')).send({ reason: 'upgrade' })).body.code).toBe('E_FORBIDDEN');
    expect((await remote(t.request.delete('/maintenance'))).status).toBe(403);
    expect((await remote(t.request.put('/checks/backup/status')).send({ status: 'pass' })).status).toBe(403);
    expect((await t.request.get('/maintenance')).body).toEqual(before);
    await remote(t.request.put('/checks/backup/status'))
      .set('authorization', `Bearer ${TOKEN}`)
      .send({ status: 'pass' })
      .expect(200);
  });

  it('reads stay open to every peer', async () => {
    await app(TOKEN, true);
    await t.request.get('/').set('x-test-peer', '203.0.113.9').expect(200);
    await t.request.get('/checks').set('x-test-peer', '203.0.113.9').expect(200);
    await t.request.head('/').set('x-test-peer', '203.0.113.9').expect(200);
  });

  it('a refused write is refused before its body is read (no 400/413 leak)', async () => {
    await app();
    const res = await t.request
      .post('/checks')
      .set('x-test-peer', '10.0.0.7')
      .set('content-type', 'application/json')
      .send('{not json');
    expect(res.status).toBe(403);
  });

  it('without the hook, the socket address decides: supertest connects over loopback', async () => {
    t = await makeTestApp({ auth: { token: TOKEN, requireTokenOnLoopback: true } });
    await t.request.post('/checks').send(body).expect(403);
    await t.request.post('/checks').set('authorization', `Bearer ${TOKEN}`).send(body).expect(201);
  });
});

describe('the token is configured, never shown', () => {
  it('a too-short auth.token is a config error that does not echo it', () => {
    const err = (() => {
      try {
        parseConfig({ auth: { token: 'hunter2' } });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toMatch(/auth\.token/);
    expect(err?.message).not.toContain('hunter2');
  });

  it('token and tokenFile together, or requireTokenOnLoopback alone, are refused without echoing', () => {
    expect(() => parseConfig({ auth: { token: TOKEN, tokenFile: '/x' } })).toThrow(/not both/);
    expect(() => parseConfig({ auth: { token: TOKEN, tokenFile: '/x' } })).not.toThrow(new RegExp(TOKEN));
    expect(() => parseConfig({ auth: { requireTokenOnLoopback: true } })).toThrow(/needs auth\.token/);
  });

  it('auth.tokenFile is read (first line, trimmed); errors name the file, not its content', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'token');
    writeFileSync(file, `${TOKEN}\n`);
    expect((await resolveWritePolicy({ tokenFile: file, requireTokenOnLoopback: false })).token).toBe(TOKEN);
    writeFileSync(file, 'short\n');
    await expect(resolveWritePolicy({ tokenFile: file, requireTokenOnLoopback: false })).rejects.toThrow(
      new RegExp(`${file}.*at least 16`),
    );
    await expect(resolveWritePolicy({ tokenFile: file, requireTokenOnLoopback: false })).rejects.not.toThrow(/short/);
    await expect(
      resolveWritePolicy({ tokenFile: path.join(dir, 'missing'), requireTokenOnLoopback: false }),
    ).rejects.toThrow(/ENOENT/);
  });
});
