import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import type { Status } from '../src/status.js';
import { makeTestApp, type TestApp } from './helpers/app.js';
import { startFakeDns, type DnsReply, type FakeDns } from './helpers/dns-server.js';
import { storedChecks } from './helpers/stored.js';
import { sleep, waitFor } from './helpers/wait.js';

const TIMING = { defaults: { interval: '400ms', timeout: '300ms' } };
let t: TestApp;
let dns: FakeDns;
beforeAll(async () => {
  t = await makeTestApp(TIMING);
  dns = await startFakeDns();
});
afterAll(async () => {
  await t.close();
  await dns.close();
});

type State = { status: Status; message: string; kind: string };
const stateOf = async (app: TestApp, id: string) =>
  (await app.request.get(`/checks/${id}/state`).expect(200)).body as State;
const firstResult = (app: TestApp, id: string) =>
  waitFor(async () => {
    const s = await stateOf(app, id);
    return s.message.startsWith('waiting for') ? undefined : s;
  }, 10_000);

let n = 0;
/** Registers a dns:// check of `name` against the fake server and returns its first state. */
async function resolved(name: string, fields: Record<string, unknown> = {}) {
  const id = `d${++n}`;
  const url = { addr: `dns://${name}`, server: dns.server, ...fields };
  await t.request.post('/checks').send({ id, url }).expect(201);
  const s = await firstResult(t, id);
  await t.request.delete(`/checks/${id}`).expect(204);
  return s;
}

const A = (ip: string) => ({ type: 'A' as const, name: '', data: ip });

describe('dns:// checks against a DNS server on a loopback port', () => {
  const from = () => `from ${dns.server}`;
  it.each<[string, string, DnsReply, string]>([
    ['db.test', 'A', { answers: [A('10.0.0.5'), A('10.0.0.6')] }, 'db.test A: 10.0.0.5, 10.0.0.6'],
    ['db.test', 'AAAA', { answers: [{ type: 'AAAA', name: '', data: 'fd00::5' }] }, 'db.test AAAA: fd00::5'],
    ['www.test', 'CNAME', { answers: [{ type: 'CNAME', name: '', data: 'real.test' }] }, 'www.test CNAME: real.test'],
    ['db.test', 'TXT', { answers: [{ type: 'TXT', name: '', data: ['v=spf1 ', '-all'] }] }, 'db.test TXT: v=spf1 -all'],
    [
      '_pg._tcp.db.test',
      'SRV',
      { answers: [{ type: 'SRV', name: '', data: { priority: 10, weight: 5, port: 5432, target: 'db1.test' } }] },
      '_pg._tcp.db.test SRV: 10 5 5432 db1.test',
    ],
  ])('%s %s answers OK with the answer in the message', async (name, type, reply, message) => {
    dns.set(name, type, reply);
    const s = await resolved(name, type === 'A' ? {} : { type });
    expect(s).toMatchObject({ status: 'OK', kind: 'dns', message });
  });

  it.each<[string, DnsReply, string]>([
    ['NXDOMAIN', { rcode: 'NXDOMAIN' }, 'NXDOMAIN (ENOTFOUND)'],
    ['SERVFAIL', { rcode: 'SERVFAIL' }, 'SERVFAIL (ESERVFAIL)'],
    ['REFUSED', { rcode: 'REFUSED' }, 'REFUSED (EREFUSED)'],
    ['no record of the type', { answers: [] }, 'no A record (ENODATA)'],
    ['no answer at all', { silent: true }, 'no answer in 300ms (ETIMEOUT)'],
  ])('%s is Critical, naming the server', async (_what, reply, why) => {
    dns.set('gone.test', 'A', reply);
    const s = await resolved('gone.test');
    const [reason, code] = why.split(' (');
    expect(s).toMatchObject({ status: 'Critical', message: `gone.test A: ${reason} ${from()} (${code}` });
  });

  it.each<[string, Record<string, unknown>, DnsReply, Status]>([
    [
      'every expected value is in the answer',
      { expect: ['10.0.0.6'] },
      { answers: [A('10.0.0.5'), A('10.0.0.6')] },
      'OK',
    ],
    [
      'addresses compare canonical',
      { type: 'AAAA', expect: ['FD00:0:0::5'] },
      { answers: [{ type: 'AAAA', name: '', data: 'fd00::5' }] },
      'OK',
    ],
    [
      'names compare without case or final dot',
      { type: 'CNAME', expect: ['REAL.test.'] },
      { answers: [{ type: 'CNAME', name: '', data: 'real.test' }] },
      'OK',
    ],
    ['a value missing', { expect: ['10.0.0.5', '10.0.0.9'] }, { answers: [A('10.0.0.5')] }, 'Critical'],
  ])('expect: %s', async (_what, fields, reply, status) => {
    dns.set('exp.test', (fields.type as string | undefined) ?? 'A', reply);
    const s = await resolved('exp.test', fields);
    expect(s.status).toBe(status);
    if (status === 'Critical') expect(s.message).toBe('exp.test A: 10.0.0.5; expected but not in the answer: 10.0.0.9');
  });

  it('one check follows its answers from poll to poll (no answer is cached between polls)', async () => {
    dns.set('flip.test', 'A', { answers: [A('10.0.0.5')] });
    await t.request
      .post('/checks')
      .send({ id: 'flip', url: { addr: 'dns://flip.test', server: dns.server } })
      .expect(201);
    const until = (status: Status) =>
      waitFor(async () => (await stateOf(t, 'flip')).status === status && stateOf(t, 'flip'), 10_000);
    expect((await until('OK')).message).toBe('flip.test A: 10.0.0.5');
    dns.set('flip.test', 'A', { rcode: 'SERVFAIL' });
    expect((await until('Critical')).message).toBe(`flip.test A: SERVFAIL from ${dns.server} (ESERVFAIL)`);
    dns.set('flip.test', 'A', { answers: [A('10.0.0.6')] });
    expect((await until('OK')).message).toBe('flip.test A: 10.0.0.6');
    await t.request.delete('/checks/flip').expect(204);
  });

  it('a long answer is cut in the message', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => ({
      type: 'TXT' as const,
      name: '',
      data: `record-${i}-${'x'.repeat(200)}`,
    }));
    dns.set('long.test', 'TXT', { answers: texts });
    const s = await resolved('long.test', { type: 'TXT' });
    expect(s.status).toBe('OK');
    expect(s.message).toMatch(/^long\.test TXT: record-\d+-x+/);
    expect(s.message.length).toBe('long.test TXT: '.length + 512);
    expect(s.message.endsWith('…')).toBe(true);
  });

  it('GET /checks shows the dns fields as registered', async () => {
    const url = { addr: 'dns://db.test', type: 'SRV', server: dns.server, expect: ['10 5 5432 db1.test'] };
    await t.request.post('/checks').send({ id: 'shown', url }).expect(201);
    expect((await t.request.get('/checks')).body.shown).toEqual(url);
    await t.request.delete('/checks/shown').expect(204);
  });

  it('asks an IPv6 server too', async () => {
    const six = await startFakeDns('::1');
    try {
      six.set('v6.test', 'A', { answers: [A('10.0.0.7')] });
      await t.request
        .post('/checks')
        .send({ id: 'six', url: { addr: 'dns://v6.test', server: six.server } })
        .expect(201);
      expect((await firstResult(t, 'six')).message).toBe('v6.test A: 10.0.0.7');
      await t.request.delete('/checks/six').expect(204);
    } finally {
      await six.close();
    }
  });
});

describe('dns:// checks: the server is a target like any other', () => {
  it('a server outside targets.allow, or always refused, is a 400 at registration, and nothing is stored', async () => {
    const app = await makeTestApp({ ...TIMING, targets: { allow: ['10.0.0.0/8'] } });
    try {
      for (const [server, why] of [
        [dns.server, `target ${dns.server} refused: 127.0.0.1 is not in targets.allow (10.0.0.0/8)`],
        ['169.254.169.254', 'target 169.254.169.254:53 refused: 169.254.169.254 is link-local (cloud metadata) and'],
      ] as const) {
        const res = await app.request.post('/checks').send({ id: 'x', url: { addr: 'dns://db.test', server } });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ code: 'E_TARGET_REFUSED', error: expect.stringContaining(why) });
      }
      expect(storedChecks(app.dataFile)).toEqual({});
    } finally {
      await app.close();
    }
  });

  it('is judged at every query: a config check, and an API check after a reload, are refused unsent', async () => {
    const conf = (allow: string[]) =>
      parseConfig({
        ...TIMING,
        targets: { allow },
        checks: [{ id: 'meta', url: { addr: 'dns://db.test', server: '169.254.169.254' } }],
      });
    const app = await makeTestApp({ ...TIMING, checks: conf(['127.0.0.0/8']).checks });
    try {
      const meta = await firstResult(app, 'meta');
      expect(meta).toMatchObject({ status: 'Critical' });
      expect(meta.message).toBe(
        'db.test A: target 169.254.169.254:53 refused at connect: 169.254.169.254 is link-local (cloud metadata) ' +
          'and always refused (E_TARGET_REFUSED)',
      );
      dns.set('db.test', 'A', { answers: [A('10.0.0.5')] });
      await app.request
        .post('/checks')
        .send({ id: 'api', url: { addr: 'dns://db.test', server: dns.server } })
        .expect(201);
      await waitFor(async () => (await stateOf(app, 'api')).status === 'OK', 10_000);
      await app.reload({ ...conf(['10.0.0.0/8']), dataFile: app.dataFile });
      const refused = await waitFor(async () => {
        const s = await stateOf(app, 'api');
        return s.status === 'Critical' ? s : undefined;
      }, 10_000);
      expect(refused.message).toContain(`refused at connect: 127.0.0.1 is not in targets.allow (10.0.0.0/8)`);
      const asked = dns.queries.length;
      await sleep(1000);
      expect(dns.queries.length).toBe(asked);
    } finally {
      await app.close();
    }
  });
});

describe('dns:// checks: bad input is a 400 naming the field, and nothing is stored', () => {
  it.each([
    [{ addr: 'dns://db.test', type: 'MX' }, '`url.type` must be one of A, AAAA, CNAME, TXT, SRV, got "MX"'],
    [{ addr: 'dns://db.test', server: 'ns.example:53' }, '`url.server` must be an IP address with an optional port'],
    [{ addr: 'dns://db.test', server: '10.0.0.1:99999' }, '`url.server` must be an IP address with an optional port'],
    [{ addr: 'dns://db.test', expect: [] }, '`url.expect` Too small'],
    [
      { addr: 'dns://db.test', expect: ['10.0.0.1', 'db.test'] },
      '`url.expect[1]` must be an IPv4 address, as A answers read, got "db.test"',
    ],
    [
      { addr: 'dns://db.test', type: 'SRV', expect: ['db1.test:5432'] },
      '`url.expect[0]` must be an SRV record "priority weight port target", as SRV answers read',
    ],
    [{ addr: 'dns://bad_label-.test' }, '`url.addr` must be dns://name'],
    [{ addr: 'dns://db.test:53' }, '`url.addr` must be dns://name'],
    [{ addr: 'dns://db.test/x' }, '`url.addr` must be dns://name'],
    [{ addr: 'dns://db.test', jsonpath: 'status' }, '`url.jsonpath` does not apply to a dns:// check'],
    [{ addr: 'http://127.0.0.1:1/', type: 'A' }, '`url.type` does not apply to a http:// check'],
    [
      { addr: 'ftp://db.test' },
      '`url.addr` must be an http(s):// URL, tcp://, tls:// or grpc://host:port, or dns://name',
    ],
  ])('%j', async (url, why) => {
    const res = await t.request.post('/checks').send({ id: 'bad', url });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'E_VALIDATION', error: expect.stringContaining(why) });
    expect((await t.request.get('/checks')).body).toEqual({});
    expect(storedChecks(t.dataFile)).toEqual({});
  });

  it('the plain form dns://name is enough (A, system resolver)', async () => {
    const res = await t.request.post('/checks').send({ id: 'plain', url: 'dns://localhost' }).expect(201);
    expect(res.body).toEqual({ id: 'plain', url: 'dns://localhost' });
    expect(t.table.get('plain')?.check).toMatchObject({ kind: 'dns', name: 'localhost', type: 'A' });
    await t.request.delete('/checks/plain').expect(204);
  });
});
