import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Admission } from '../src/security/admission.js';
import { mayHold } from '../src/api/admit-request.js';
import { budgetsFor, type Budgets } from '../src/security/budgets.js';
import { clientKey } from '../src/security/client-key.js';
import { readOpenFileLimit, DEFAULT_OPEN_FILES } from '../src/security/open-files.js';
import { parseConfig } from '../src/config/load.js';

describe('clientKey: who a connection counts against', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['10.1.2.3', '10.1.2.3'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::ffff:a01:203', '10.1.2.3'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0000:0000:0000:0009', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    [undefined, '?'],
  ])('%s → %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});

/** A stand-in socket: what the admission module reads of one (address, destroyed, close). */
function fakeSocket(remoteAddress: string): Socket {
  const s = new EventEmitter() as EventEmitter & { remoteAddress: string; destroyed: boolean; destroy(): void };
  s.remoteAddress = remoteAddress;
  s.destroyed = false;
  s.destroy = () => {
    if (s.destroyed) return;
    s.destroyed = true;
    queueMicrotask(() => s.emit('close'));
  };
  return s as unknown as Socket;
}

const budgets = (b: Partial<Budgets> = {}): Budgets => ({
  connectionsPerClient: 4,
  heldPerClient: 2,
  connections: 8,
  heldTotal: 5,
  streams: 3,
  ...b,
});

describe('the admission module', () => {
  it('counts an IPv6 client by its /64: a second address of the same /64 shares its budget', () => {
    const a = new Admission(budgets());
    expect(a.take(fakeSocket('2001:db8:1:2::1'), 'hold').ok).toBe(true);
    expect(a.take(fakeSocket('2001:db8:1:2::ffff'), 'hold').ok).toBe(true);
    const third = a.take(fakeSocket('2001:db8:1:2:1:2:3:4'), 'hold');
    expect(third.ok || third.error).toMatchObject({ status: 429, code: 'E_TOO_MANY_HELD' });
    expect((third.ok || third.error.message) as string).toContain('2001:db8:1:2::/64');
    expect(a.take(fakeSocket('2001:db8:1:3::1'), 'hold').ok).toBe(true);
  });

  it('refuses the newest holder: 429 for its client, 503 for all; a slot comes back on release or close', async () => {
    const a = new Admission(budgets());
    const s1 = fakeSocket('10.0.0.1');
    const first = a.take(s1, 'hold');
    expect(a.take(fakeSocket('10.0.0.1'), 'stream').ok).toBe(true);
    expect(a.take(fakeSocket('10.0.0.1'), 'body')).toMatchObject({ ok: false, error: { status: 429 } });
    for (const addr of ['10.0.0.2', '10.0.0.3', '10.0.0.4']) expect(a.take(fakeSocket(addr), 'agent').ok).toBe(true);
    const full = a.take(fakeSocket('10.0.0.5'), 'hold');
    expect(full).toMatchObject({ ok: false, error: { status: 503, code: 'E_SERVER_BUSY' } });
    expect(full.ok || full.error.headers).toEqual({ 'Retry-After': '5' });
    if (first.ok) first.release();
    expect(a.take(fakeSocket('10.0.0.5'), 'hold').ok).toBe(true);
    let lost = false;
    const s6 = fakeSocket('10.0.0.6');
    a.take(fakeSocket('10.0.0.2'), 'hold');
    expect(a.take(s6, 'hold', () => (lost = true)).ok).toBe(false);
    s1.destroy();
    await new Promise((r) => setImmediate(r));
    expect(a.stats().held.get('hold')).toBe(1);
    expect(lost).toBe(false);
  });

  it('a request that may be held closes the socket for what is pipelined behind it, held or not yet', () => {
    const a = new Admission(budgets());
    const s = fakeSocket('10.0.0.1');
    const end = a.begin(s, true);
    expect(a.begin(s)).toBeUndefined();
    expect(s.destroyed).toBe(true);
    end?.();
    // Plain requests may be pipelined as HTTP/1.1 allows.
    const plain = fakeSocket('10.0.0.2');
    expect(a.begin(plain)).toBeDefined();
    expect(a.begin(plain)).toBeDefined();
  });

  it.each([
    ['GET', '/events', true],
    ['GET', '/events?lastEventId=5', true],
    ['GET', '/?index=5&wait=1m', true],
    ['HEAD', '/groups/web?wait=30s', true],
    ['OPTIONS', '/?index=5', true],
    ['GET', '/', false],
    ['GET', '/groups/web', false],
    ['GET', '/history?limit=5', false],
    ['POST', '/checks?index=1', false],
    ['GET', '/eventsx', false],
  ])('%s %s may be held: %s', (method, url, expected) => {
    expect(mayHold({ method, url } as IncomingMessage)).toBe(expected);
  });

  it('limits streams to their own budget', () => {
    const a = new Admission(budgets({ heldPerClient: 9, heldTotal: 9, streams: 1 }));
    expect(a.take(fakeSocket('10.0.0.1'), 'stream').ok).toBe(true);
    expect(a.take(fakeSocket('10.0.0.2'), 'stream')).toMatchObject({
      error: { status: 503, code: 'E_TOO_MANY_STREAMS' },
    });
  });

  it(
    'one held request per socket: a request or a second hold behind it closes the socket, its slot goes, ' +
      'and its client waits before it connects again',
    async () => {
      let now = 0;
      const a = new Admission(budgets(), () => now);
      const s = fakeSocket('10.0.0.1');
      let lost = 0;
      const end = a.begin(s);
      expect(a.take(s, 'hold', () => lost++).ok).toBe(true);
      expect(a.begin(s)).toBeUndefined();
      expect(s.destroyed).toBe(true);
      await new Promise((r) => setImmediate(r));
      expect(lost).toBe(1);
      expect(a.stats().held.get('hold')).toBe(0);
      expect(a.stats().refused.get('pipelined')).toBe(1);
      end?.();
      expect(a.stats().sockets).toBe(0);
      // A second; other clients are not kept waiting.
      expect(a.admitSocket(fakeSocket('10.0.0.1'))).toBe(false);
      expect(a.admitSocket(fakeSocket('10.0.0.2'))).toBe(true);
      now += 1000;
      const again = fakeSocket('10.0.0.1');
      expect(a.admitSocket(again)).toBe(true);
      expect(a.stats().refused.get('cooldown')).toBe(1);
      // Flooding again soon after: twice as long.
      a.begin(again, true);
      a.begin(again);
      now += 1999;
      expect(a.admitSocket(fakeSocket('10.0.0.1'))).toBe(false);
      now += 1;
      expect(a.admitSocket(fakeSocket('10.0.0.1'))).toBe(true);
    },
  );

  it(
    'a new socket beyond a socket budget closes the ' + 'oldest idle one (its client’s, else the heaviest client’s)',
    () => {
      const a = new Admission(budgets());
      const mine = Array.from({ length: 4 }, () => fakeSocket('10.0.0.1'));
      for (const s of mine) expect(a.admitSocket(s)).toBe(true);
      // One is busy with a request, one holds: neither may go.
      a.begin(mine[0]!);
      a.take(mine[1]!, 'hold');
      expect(a.admitSocket(fakeSocket('10.0.0.1'))).toBe(true);
      expect(mine.map((s) => s.destroyed)).toEqual([false, false, true, false]);
      for (const addr of ['10.0.0.2', '10.0.0.2', '10.0.0.3', '10.0.0.3'])
        expect(a.admitSocket(fakeSocket(addr))).toBe(true);
      expect(a.stats().sockets).toBe(8);
      const balancer = fakeSocket('10.0.0.9');
      expect(a.admitSocket(balancer)).toBe(true);
      expect(mine[3]!.destroyed).toBe(true);
      expect(a.stats()).toMatchObject({ sockets: 8, evicted: 2 });
    },
  );

  it('refuses a new socket only when every other socket is busy or held', () => {
    const a = new Admission(budgets({ connections: 64, connectionsPerClient: 2 }));
    const [s1, s2] = [fakeSocket('10.0.0.1'), fakeSocket('10.0.0.1')];
    a.admitSocket(s1);
    a.admitSocket(s2);
    a.begin(s1);
    a.begin(s2);
    const third = fakeSocket('10.0.0.1');
    expect(a.admitSocket(third)).toBe(false);
    expect(third.destroyed).toBe(true);
    expect(a.stats().refused.get('client_sockets')).toBe(1);
  });
});

describe('budgets from limits and the open-file limit', () => {
  const limits = (raw: object = {}) => parseConfig({ limits: raw }).limits;

  it('derives connections and heldTotal from the open-file limit, keeping headroom', () => {
    const { budgets: b, notes } = budgetsFor(limits(), 20_000);
    expect(b).toMatchObject({ connectionsPerClient: 256, heldPerClient: 128, connections: 19_232, heldTotal: 14_424 });
    expect(notes).toEqual([]);
  });

  it('cuts configured budgets to what the open-file limit allows, and says so', () => {
    const { budgets: b, notes } = budgetsFor(limits({ connections: 5000, heldTotal: 4990 }), 2048);
    expect(b.connections).toBe(2048 - 256 - 512);
    expect(b.heldTotal).toBe(b.connections - Math.floor(b.connections / 8));
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain('limits.connections 5000');
  });

  it('cuts hold budgets that leave no room for plain requests, and says so', () => {
    const { budgets: b, notes } = budgetsFor(limits({ connectionsPerClient: 50, heldPerClient: 80 }), 20_000);
    expect(b).toMatchObject({ connectionsPerClient: 50, heldPerClient: 49 });
    expect(notes[0]).toContain('limits.heldPerClient 80');
    expect(budgetsFor(limits({ connectionsPerClient: 50 }), 20_000).budgets.heldPerClient).toBe(25);
  });

  it('reads the soft open-file limit, with a safe default when it cannot', () => {
    const limitsFile =
      'Max cpu time              unlimited            unlimited            seconds\n' +
      'Max open files            20000                20000                files\n';
    expect(readOpenFileLimit(() => limitsFile)).toBe(20_000);
    expect(readOpenFileLimit(() => 'nothing here')).toBe(DEFAULT_OPEN_FILES);
    expect(
      readOpenFileLimit(() => {
        throw new Error('ENOENT');
      }),
    ).toBe(DEFAULT_OPEN_FILES);
    expect(readOpenFileLimit()).toBeGreaterThan(0);
  });
});
