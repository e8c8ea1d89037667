import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { HistoryStore } from '../src/history/store.js';
import { EventStreams, MAX_REPLAY, REPLAY_PER_TURN } from '../src/feed/streams.js';
import { memoryStorage } from '../src/storage/memory.js';
import { tempDir } from './helpers/app.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { requestFrom, streamFrom } from './helpers/clients.js';
import { waitFor } from './helpers/wait.js';

const silent = pino({ level: 'silent' });
const turn = () => new Promise((r) => setImmediate(r));

/** A response stand-in that records what is written; `writableLength` is what the client has not read. */
function fakeResponse() {
  const res = new EventEmitter() as EventEmitter & {
    writableLength: number;
    written: string[];
    write(t: string): boolean;
  };
  res.writableLength = 0;
  res.written = [];
  let count = 0;
  res.write = (text: string) => {
    res.written.push(text);
    count += text.split('\nid: ').length - 1;
    return true;
  };
  const ids = () => res.written.flatMap((t) => [...t.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1])));
  return { res, asResponse: res as unknown as ServerResponse, ids, count: () => count };
}

async function fullHistory(n = 3000): Promise<HistoryStore> {
  const config = { retention: 86_400_000, perCheck: 100 };
  const history = await HistoryStore.open(memoryStorage().log('history'), config, { logger: silent, now: Date.now });
  for (let i = 0; i < n; i++)
    history.record({ check: `c${i % 50}`, from: 'OK', to: 'Critical', message: 'x'.repeat(500), at: Date.now() });
  return history;
}

describe('resuming /events (Last-Event-ID) under the budget of live sends', () => {
  it('replays a batch per turn of the event loop, waits while its client is behind, goes live in order', async () => {
    const history = await fullHistory();
    const streams = new EventStreams(history);
    const { res, asResponse, ids } = fakeResponse();
    streams.add(asResponse, 0);
    // Nothing is written in the request's own turn: other requests are answered between batches.
    expect(ids()).toEqual([]);
    await turn();
    const first = ids().length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(REPLAY_PER_TURN);
    await turn();
    expect(ids().length).toBeGreaterThan(first);
    // The client stops reading: the replay waits for 'drain'.
    res.writableLength = 1024 * 1024;
    await turn();
    const stalled = ids().length;
    expect(stalled).toBeLessThan(MAX_REPLAY);
    for (let i = 0; i < 5; i++) await turn();
    expect(ids().length).toBe(stalled);
    // A transition meanwhile reaches the stream through the replay, after what it missed.
    const live = history.record({ check: 'late', from: 'OK', to: 'Warning', message: 'late', at: Date.now() });
    expect(ids()).not.toContain(live.index);
    res.writableLength = 0;
    res.emit('drain');
    await waitFor(() => ids().includes(live.index));
    const all = history.after(0, Infinity).map((e) => e.index);
    expect(ids()).toEqual([...all.slice(-MAX_REPLAY - 1, -1), live.index]);
    // Live from now on, each transition once.
    const later = history.record({ check: 'later', from: 'OK', to: 'Critical', message: 'later', at: Date.now() });
    expect(ids().slice(-2)).toEqual([live.index, later.index]);
    res.emit('close');
    expect(streams.size).toBe(0);
    await history.close();
  });

  it('a hundred resumes at once share one budget per turn, and each gets all it missed', async () => {
    const history = await fullHistory();
    const streams = new EventStreams(history);
    const clients = Array.from({ length: 100 }, () => fakeResponse());
    for (const c of clients) streams.add(c.asResponse, 0);
    const sent = () => clients.reduce((n, c) => n + c.count(), 0);
    let before = 0;
    while (clients.some((c) => c.count() < MAX_REPLAY)) {
      await turn();
      expect(sent() - before).toBeLessThanOrEqual(REPLAY_PER_TURN);
      before = sent();
    }
    const newest = history.after(history.replayStart(0, MAX_REPLAY), Infinity).map((e) => e.index);
    for (const c of clients) expect(c.ids()).toEqual(newest);
    for (const c of clients) c.res.emit('close');
    await history.close();
  });
});

describe('resuming /events on the built daemon with a full history', () => {
  let d: RunningDaemon | undefined;
  afterEach(async () => {
    await d?.stop();
    d = undefined;
  });

  it(
    'Last-Event-ID: 0 gets the newest 1000 transitions in ' + 'order, then live ones, while GET / is answered',
    async () => {
      const dir = tempDir('megaphone-replay-');
      const at = Date.now();
      const lines = Array.from({ length: 20_000 }, (_, i) =>
        JSON.stringify({
          index: i + 1,
          check: `svc-${i % 400}`,
          from: 'OK',
          to: 'Critical',
          message: 'm'.repeat(900),
          at,
        }),
      );
      writeFileSync(path.join(dir, 'megaphone.db.history.jsonl'), `${lines.join('\n')}\n`);
      d = await spawnDaemon({}, { dir });
      const resume = streamFrom(d.port, '127.0.0.2', { 'last-event-id': '0' });
      expect((await resume.response).statusCode).toBe(200);
      const balancer = await Promise.all(Array.from({ length: 20 }, () => requestFrom(d!.port, '127.0.0.1', '/').done));
      expect(balancer.map((r) => r.status)).toEqual(Array(20).fill(200));
      const ids = () => [...resume.text().matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      await waitFor(() => ids().length >= 1000, 20_000);
      expect(ids()).toEqual(Array.from({ length: 1000 }, (_, i) => 19_001 + i));
      // A transition now comes live, after the replay.
      await fetch(`${d.url}/checks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'late', ttl: '1h' }),
      });
      await fetch(`${d.url}/checks/late/status`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'Critical', message: 'late' }),
      });
      await waitFor(() => ids().length > 1000, 10_000);
      expect(ids()[1000]).toBeGreaterThan(20_000);
      resume.close();
    },
  );
});
