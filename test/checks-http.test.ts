import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedChecks } from './helpers/stored.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';

let t: TestApp;
let svc: FakeService;

beforeEach(async () => {
  t = await makeTestApp();
  svc = await startFakeService();
});
afterEach(async () => {
  await t.close();
  await svc.close();
});

const stateOf = async (id: string) =>
  (await t.request.get(`/checks/${id}/state`).expect(200)).body as { status: string; message: string; kind: string };
const until = (id: string, status: string) =>
  waitFor(async () => {
    const s = await stateOf(id);
    if (s.status !== status) throw new Error(`${id} is ${s.status}: ${s.message}`);
    return s;
  }, 10_000);

describe('format "health+json"', () => {
  it('reads pass/warn/fail and lists the failing entries of `checks` as the message', async () => {
    svc.reply({
      code: 503,
      headers: { 'content-type': 'application/health+json' },
      body: {
        status: 'fail',
        checks: {
          'db:connections': [{ componentId: 'primary', status: 'fail', output: 'ECONNREFUSED' }],
          'cache:hits': [{ status: 'pass' }],
          'disk:free': [{ status: 'warn', output: '91% used' }],
        },
      },
    });
    await t.request
      .post('/checks')
      .send({ id: 'api', url: { addr: svc.url, format: 'health+json' } })
      .expect(201);
    const s = await until('api', 'Critical');
    expect(s.message).toBe('db:connections[primary] fail: ECONNREFUSED; disk:free warn: 91% used');
    svc.reply({ body: { status: 'warn', output: 'degraded' } });
    expect((await until('api', 'Warning')).message).toBe('degraded');
    svc.reply({ body: { status: 'UP' } });
    await until('api', 'OK');
  });

  it('asks for application/health+json', async () => {
    let accept = '';
    const server = http.createServer((req, res) => {
      accept = req.headers.accept ?? '';
      res.end('{"status":"pass"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
      await t.request
        .post('/checks')
        .send({ id: 'h', url: { addr: url, format: 'health+json' } })
        .expect(201);
      await until('h', 'OK');
      expect(accept).toMatch(/^application\/health\+json/);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('format "http" (the body is ignored)', () => {
  it.each([
    [200, 'OK', 'HTTP 200'],
    [204, 'OK', 'HTTP 204'],
    [429, 'Warning', 'HTTP 429'],
    [500, 'Critical', 'HTTP 500'],
    // Redirects are never followed (SSRF), whatever the format.
    [301, 'Critical', 'HTTP 301 redirect not followed'],
  ])('HTTP %i reads %s', async (code, status, message) => {
    svc.reply({ code, body: 'not json at all' });
    await t.request
      .post('/checks')
      .send({ id: 'plain', url: { addr: svc.url, format: 'http' } })
      .expect(201);
    expect((await until('plain', status)).message).toBe(message);
  });
});

describe('match', () => {
  it('is Critical when the body does not match, and reads the format when it does', async () => {
    svc.reply({ body: { status: 'OK', message: 'version 1.2.3' } });
    await t.request
      .post('/checks')
      .send({ id: 'm', url: { addr: svc.url, match: 'version 2\\.' } })
      .expect(201);
    expect((await until('m', 'Critical')).message).toBe('body does not match /version 2\\./ (HTTP 200)');
    svc.reply({ body: { status: 'OK', message: 'version 2.0.0' } });
    expect((await until('m', 'OK')).message).toBe('version 2.0.0');
  });

  it('a catastrophic pattern is abandoned (Unknown) without stalling the daemon', async () => {
    svc.reply({ code: 200, body: `${'a'.repeat(5000)}!` });
    await t.request
      .post('/checks')
      .send({ id: 'redos', url: { addr: svc.url, format: 'http', match: '^(a+)+$' } })
      .expect(201);
    expect((await until('redos', 'Unknown')).message).toMatch(/took too long on the body/);
    await waitFor(
      async () => /disabled until the check is registered again/.test((await stateOf('redos')).message),
      10_000,
    );
    // The pattern is not run again: later polls cost nothing, and the loop still answers.
    expect(t.table.get('redos')?.check).toMatchObject({ match: { abandoned: true } });
    await t.request.get('/').expect(200);
  });
});

describe('headers and method', () => {
  it('sends the configured headers (Host, Authorization) and HEAD', async () => {
    const seen: Array<{ method?: string; host?: string; auth?: string }> = [];
    const server = http.createServer((req, res) => {
      seen.push({ method: req.method, host: req.headers.host, auth: req.headers.authorization });
      res.writeHead(req.headers.authorization === 'Bearer s3cret' ? 200 : 401).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const addr = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
      await t.request
        .post('/checks')
        .send({
          id: 'head',
          url: {
            addr,
            format: 'http',
            method: 'HEAD',
            headers: { Host: 'app.internal', Authorization: 'Bearer s3cret' },
          },
        })
        .expect(201);
      await until('head', 'OK');
      expect(seen[0]).toEqual({ method: 'HEAD', host: 'app.internal', auth: 'Bearer s3cret' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('bad registrations are 400s naming the field, and store nothing', () => {
  it.each([
    ['an unknown format', { addr: 'http://127.0.0.1:1/', format: 'xml' }, /url\.format/],
    ['an invalid regex', { addr: 'http://127.0.0.1:1/', match: '(unclosed' }, /url\.match.*regular expression/],
    ['a pattern over 256 characters', { addr: 'http://127.0.0.1:1/', match: 'a'.repeat(257) }, /url\.match/],
    ['HEAD with a body format', { addr: 'http://127.0.0.1:1/', method: 'HEAD' }, /url\.method/],
    ['an unknown method', { addr: 'http://127.0.0.1:1/', method: 'POST', format: 'http' }, /url\.method/],
    ['a header with a line break', { addr: 'http://127.0.0.1:1/', headers: { 'X-A': 'a\r\nX-B: b' } }, /url\.headers/],
    ['a framing header', { addr: 'http://127.0.0.1:1/', headers: { 'Content-Length': '5' } }, /managed by megaphone/],
    ['jsonpath with format http', { addr: 'http://127.0.0.1:1/', format: 'http', jsonpath: 'a/b' }, /url\.jsonpath/],
    ['http options on a tcp check', { addr: 'tcp://127.0.0.1:5432', match: 'x' }, /url\.match.*tcp/],
  ])('%s', async (_what, url, error) => {
    const res = await t.request.post('/checks').send({ id: 'bad', url }).expect(400);
    expect(res.body.error).toMatch(error);
    expect(res.body.code).toMatch(/^E_/);
    expect((await t.request.get('/checks')).body).toEqual({});
  });
});

describe('stored registrations keep every field', () => {
  it('survive a reopen with format, match, headers, method, interval, timeout, rise and fall', async () => {
    const reg = {
      id: 'full',
      url: { addr: svc.url, format: 'http', match: 'OK', headers: { Authorization: 'x' }, method: 'GET' },
      interval: '2s',
      timeout: '1s',
      rise: 2,
      fall: 3,
    };
    await t.request.post('/checks').send(reg).expect(201);
    const stored = storedChecks(t.dataFile).full;
    expect(stored).toEqual({ ...reg, interval: 2000, timeout: 1000 });
    await t.close();
    t = await makeTestApp({}, t.dataFile);
    const check = t.table.get('full')?.check;
    expect(check).toMatchObject({
      kind: 'http',
      format: 'http',
      method: 'GET',
      headers: { Authorization: 'x' },
      intervalMs: 2000,
      timeoutMs: 1000,
      rise: 2,
      fall: 3,
    });
    // Secret header values are never shown back.
    expect((await t.request.get('/checks')).body).toEqual({
      full: { ...reg.url, headers: { Authorization: '[redacted]' } },
    });
  });
});
