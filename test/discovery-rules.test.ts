import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTemplate, renderTemplate } from '../src/discovery/template.js';
import { compileRule, RuleError, ruleMatches } from '../src/discovery/rules.js';
import { ruleSchema } from '../src/discovery/rule-config.js';
import { desire, selectProcesses, type Desired } from '../src/discovery/evaluate.js';
import { reconcile, type Owned } from '../src/discovery/reconcile.js';
import { parseStat, parseStatusUid } from '../src/discovery/proc.js';
import { parseListening } from '../src/discovery/ports.js';
import type { ProcessInfo } from '../src/discovery/proc.js';
import { parseConfig } from '../src/config/load.js';

const rule = (raw: object, index = 0) => compileRule(ruleSchema.parse(raw), index);
const proc = (pid: number, over: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid,
  ppid: 1,
  name: 'node',
  comm: 'node',
  cmd: `node app.js`,
  uid: 1000,
  user: 'app',
  startTicks: pid,
  ...over,
});

describe('templates', () => {
  it('fill {pid}, {name}, {port} and keep {{ }} as literal braces', () => {
    const t = parseTemplate('w-{name}-{pid}:{port}{{x}}');
    expect([...t.uses].sort()).toEqual(['name', 'pid', 'port']);
    expect(renderTemplate(t, { pid: 7, name: 'api', port: 80 })).toBe('w-api-7:80{x}');
    expect(renderTemplate(t, { pid: 7, name: 'api' })).toBe('w-api-7:{port}{x}');
  });

  it.each([
    ['x-{foo}', 'unknown placeholder {foo}'],
    ['x-{pid', 'unclosed "{"'],
    ['x}', 'stray "}"'],
  ])('refuse %j: %s', (text, message) => {
    expect(() => parseTemplate(text)).toThrow(message);
  });

  it('render text without braces unchanged', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[{}]/.test(s)),
        (s) => renderTemplate(parseTemplate(s), { pid: 1 }) === s,
      ),
    );
  });
});

describe('rules', () => {
  it.each([
    [{ match: { cmd: '[' }, id: 'a', url: 'http://h/' }, 'match.cmd', 'valid regular expression'],
    [{ match: { name: '/x/g' }, id: 'a', url: 'http://h/' }, 'match.name', 'g or y'],
    [{ match: { cmd: 'a' }, id: 'a-{port}', url: 'http://h/' }, 'id', 'must not use {port}'],
    [{ match: { cmd: 'a' }, id: '{name}{name}{name}'.repeat(12), url: 'http://h/' }, 'id', 'valid check id'],
    [{ match: { cmd: 'a' }, id: 'a', url: 'http://{bad}/' }, 'url', 'unknown placeholder'],
    [
      { match: { cmd: 'a' }, id: 'a', url: { addr: 'http://h:{port}/', statusoverride: 'meh' } },
      'url',
      'must yield a valid check url',
    ],
    [
      { match: { cmd: 'a' }, id: 'a', url: 'http://h:{port}/', interval: '1s', timeout: '2s' },
      'timeout',
      'shorter than the interval',
    ],
    [{ match: { cmd: 'a' }, id: 'a', url: 'http://h:{port}/', rise: 0 }, 'rise', ''],
    [
      { match: { cmd: 'a' }, id: 'a', url: 'http://h:{port}/', latency: { warning: 2000, critical: 1000 } },
      'latency',
      '`latency.warning` (2s) must not be above `latency.critical` (1s)',
    ],
    [
      { match: { cmd: 'a' }, id: 'a', url: { addr: 'dns://{name}.test', type: 'MX' } },
      'url',
      '`url.type` must be one of A, AAAA, CNAME, TXT, SRV',
    ],
  ])('refuse a bad rule naming the field (%#)', (raw, field, message) => {
    const parsed = { portIndex: 0, whenMissing: 'critical' as const, ...raw } as Parameters<typeof compileRule>[0];
    let err: unknown;
    try {
      compileRule(parsed, 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuleError);
    expect(err).toMatchObject({ field, message: expect.stringContaining(message) });
  });

  it('match on every condition given: exact or /regex/ name (exe or comm), cmd regex, user name or uid', () => {
    const p = proc(10, {
      name: 'python3.11',
      comm: 'gunicorn',
      cmd: 'gunicorn app:api -b :8000',
      user: 'www',
      uid: 33,
    });
    expect(ruleMatches(rule({ match: { name: 'gunicorn' }, id: 'a', url: 'http://h/' }), p)).toBe(true);
    expect(ruleMatches(rule({ match: { name: '/^python3/' }, id: 'a', url: 'http://h/' }), p)).toBe(true);
    expect(ruleMatches(rule({ match: { name: 'python' }, id: 'a', url: 'http://h/' }), p)).toBe(false);
    expect(ruleMatches(rule({ match: { cmd: 'app:api', user: 'www' }, id: 'a', url: 'http://h/' }), p)).toBe(true);
    expect(ruleMatches(rule({ match: { cmd: 'app:api', user: 33 }, id: 'a', url: 'http://h/' }), p)).toBe(true);
    expect(ruleMatches(rule({ match: { cmd: 'app:api', user: 'root' }, id: 'a', url: 'http://h/' }), p)).toBe(false);
  });

  it('several matches: the oldest wins a fixed id; a {pid} id gives one each', () => {
    const table = [proc(30, { startTicks: 5 }), proc(20, { startTicks: 9 }), proc(40, { startTicks: 1, cmd: 'other' })];
    const one = rule({ match: { cmd: 'app' }, id: 'app', url: 'http://h/' });
    const each = rule({ match: { cmd: 'app' }, id: 'app-{pid}', url: 'http://h/' }, 1);
    const chosen = selectProcesses([one, each], table);
    expect(chosen.get(one)!.map((p) => p.pid)).toEqual([30]);
    expect(chosen.get(each)!.map((p) => p.pid)).toEqual([30, 20]);
  });

  it('{port} is the lowest listening port unless portIndex; none yet is "waiting"; names are made id-safe', () => {
    const r = rule({ match: { cmd: 'a' }, id: '{name}', url: 'http://127.0.0.1:{port}/{name}', portIndex: 1 });
    const p = proc(5, { name: 'my app' });
    expect(desire(r, p, { ports: [80, 8080] })).toMatchObject({
      id: 'my_app',
      port: 8080,
      state: { kind: 'check', registration: { id: 'my_app', url: 'http://127.0.0.1:8080/my%20app' } },
    });
    expect(desire(r, p, { ports: [80] }).state).toMatchObject({
      kind: 'waiting',
      message: 'waiting for a listening port',
    });
    expect(desire(r, p, { error: 'cannot read /proc/5/fd (EACCES)' }).state).toMatchObject({
      kind: 'waiting',
      message: 'waiting for a listening port (cannot read /proc/5/fd (EACCES))',
    });
  });

  it('passes interval, timeout, rise and fall to the check', () => {
    const r = rule({
      match: { cmd: 'a' },
      id: 'a',
      url: 'tcp://127.0.0.1:{port}',
      interval: '2s',
      timeout: '1s',
      fall: 3,
    });
    expect(desire(r, proc(1), { ports: [22] }).state).toEqual({
      kind: 'check',
      registration: { id: 'a', url: 'tcp://127.0.0.1:22', interval: 2000, timeout: 1000, fall: 3 },
    });
  });

  it('passes latency limits to the check, and url fields such as thresholds and dns ones as written', () => {
    const url = { addr: 'http://127.0.0.1:{port}/', jsonpath: 'queue', thresholds: { warning: '~:10' } };
    const r = rule({ match: { cmd: 'a' }, id: 'a', url, latency: { warning: '100ms', critical: '1s' } });
    expect(desire(r, proc(1), { ports: [22] }).state).toEqual({
      kind: 'check',
      registration: {
        id: 'a',
        url: { ...url, addr: 'http://127.0.0.1:22/' },
        latency: { warning: 100, critical: 1000 },
      },
    });
    const dns = rule({ match: { cmd: 'a' }, id: 'd', url: { addr: 'dns://{name}.test', type: 'SRV' } });
    expect(desire(dns, proc(1), { ports: [] }).state).toMatchObject({
      registration: { url: { addr: 'dns://node.test', type: 'SRV' } },
    });
  });
});

describe('reconcile', () => {
  const step = (
    owned: Map<string, Owned>,
    rules: ReturnType<typeof rule>[],
    procs: Array<[ReturnType<typeof rule>, ProcessInfo, number]>,
  ) =>
    reconcile(
      owned,
      procs.map(([r, p, port]): Desired => desire(r, p, { ports: [port] })),
      rules,
    );

  it(
    'a fixed id: Critical from the start, upserted on a new port, unchanged output does nothing, ' +
      'Critical again when gone',
    () => {
      const r = rule({ match: { cmd: 'app' }, id: 'app', url: 'http://127.0.0.1:{port}/' });
      let s = step(new Map(), [r], []);
      expect(s.ops).toMatchObject([{ op: 'missing', id: 'app' }]);
      s = step(s.next, [r], [[r, proc(1), 80]]);
      expect(s.ops).toMatchObject([
        { op: 'upsert', id: 'app', state: { registration: { url: 'http://127.0.0.1:80/' } } },
      ]);
      expect(step(s.next, [r], [[r, proc(1), 80]]).ops).toEqual([]);
      s = step(s.next, [r], [[r, proc(2), 81]]);
      expect(s.ops).toMatchObject([
        { op: 'upsert', id: 'app', state: { registration: { url: 'http://127.0.0.1:81/' } } },
      ]);
      s = step(s.next, [r], []);
      expect(s.ops).toMatchObject([{ op: 'missing', id: 'app', url: 'http://127.0.0.1:81/' }]);
      expect(step(s.next, [r], []).ops).toEqual([]);
    },
  );

  it('a {pid} id: a vanished instance stays Critical until a new instance replaces it', () => {
    const r = rule({ match: { cmd: 'app' }, id: 'w-{pid}', url: 'http://127.0.0.1:{port}/' });
    let s = step(
      new Map(),
      [r],
      [
        [r, proc(1), 80],
        [r, proc(2), 81],
      ],
    );
    expect(s.ops.map((o) => `${o.op} ${o.id}`)).toEqual(['upsert w-1', 'upsert w-2']);
    s = step(s.next, [r], [[r, proc(1), 80]]);
    expect(s.ops.map((o) => `${o.op} ${o.id}`)).toEqual(['missing w-2']);
    s = step(
      s.next,
      [r],
      [
        [r, proc(1), 80],
        [r, proc(3), 82],
      ],
    );
    expect(s.ops.map((o) => `${o.op} ${o.id}`)).toEqual(['upsert w-3', 'remove w-2']);
  });

  it('two rules yielding the same id: the first rule keeps it, with no flip-flop', () => {
    const a = rule({ match: { cmd: 'app' }, id: 'app', url: 'http://127.0.0.1:{port}/a' });
    const b = rule({ match: { cmd: 'app' }, id: 'app', url: 'http://127.0.0.1:{port}/b' }, 1);
    const s = step(
      new Map(),
      [a, b],
      [
        [a, proc(1), 80],
        [b, proc(1), 80],
      ],
    );
    expect(s.ops).toMatchObject([{ op: 'upsert', id: 'app', rule: { index: 0 } }]);
    expect(
      step(
        s.next,
        [a, b],
        [
          [a, proc(1), 80],
          [b, proc(1), 80],
        ],
      ).ops,
    ).toEqual([]);
  });

  it('whenMissing "remove" removes instead, and a fixed id is not created before it is seen', () => {
    const r = rule({ match: { cmd: 'app' }, id: 'app', url: 'http://127.0.0.1:{port}/', whenMissing: 'remove' });
    expect(step(new Map(), [r], []).ops).toEqual([]);
    const s = step(new Map(), [r], [[r, proc(1), 80]]);
    expect(step(s.next, [r], []).ops).toMatchObject([{ op: 'remove', id: 'app' }]);
  });
});

describe('/proc parsing', () => {
  it('reads comm with spaces and parentheses, state, ppid and start time from stat', () => {
    const stat = '4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 2';
    expect(parseStat(stat)).toEqual({ comm: 'my (odd) app', state: 'S', ppid: 1, startTicks: 987654 });
    expect(parseStatusUid('Name:\tx\nUid:\t1000\t33\t33\t33\n')).toBe(33);
  });

  it('keeps only LISTEN (0A) sockets from /proc/net/tcp and tcp6', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0 100 0 0 10 0',
      '   1: 0100007F:1F91 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0 100 0 0 10 0',
    ].join('\n');
    const tcp6 = [
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr ' +
        'tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 ' +
        '00:00000000 00000000     0        0 333 1 0 100 0 0 10 0',
    ].join('\n');
    expect(parseListening(tcp6, parseListening(tcp))).toEqual(
      new Map([
        ['111', 8080],
        ['333', 80],
      ]),
    );
  });
});

describe('the discovery config', () => {
  it('defaults to a 10 s interval and no rules, and refuses an interval under 100 ms', () => {
    expect(parseConfig({}).discovery).toEqual({ interval: 10_000, rules: [] });
    expect(() => parseConfig({ discovery: { interval: '5ms' } })).toThrow(
      '`discovery.interval` must be between 100ms and 1d, got "5ms"',
    );
    expect(() =>
      parseConfig({ discovery: { rules: [{ match: { cmd: 'a' }, id: 'a', url: 'http://h/', extra: 1 }] } }),
    ).toThrow('unknown key `discovery.rules.0.extra`');
  });
});
