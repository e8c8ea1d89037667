import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { HistoryStore } from '../src/history/store.js';
import { faultyStorage } from '../src/storage/faulty.js';
import { logKey, memoryStorage } from '../src/storage/memory.js';
import { MAX_TRANSITION_MESSAGE } from '../src/table/events.js';

const silent = pino({ level: 'silent' });
const config = { retention: 86_400_000, perCheck: 100 };
const tr = (check: string, message: string) =>
  ({ check, from: 'OK', to: 'Critical', message, at: Date.now() }) as const;

describe('HistoryStore on an AppendLog', () => {
  it('keeps its transitions across a restart on the same storage', async () => {
    const mem = memoryStorage();
    const h = await HistoryStore.open(mem.log('history'), config, { logger: silent, now: Date.now });
    h.record(tr('db', 'down'));
    await h.close();
    const again = await HistoryStore.open(mem.log('history'), config, { logger: silent, now: Date.now });
    expect(again.forCheck('db', 10).map((e) => e.message)).toEqual(['down']);
    await again.close();
  });

  it('counts a refused append, which leaves no trace in the log, and writes the next batch', async () => {
    const mem = memoryStorage();
    const faulty = faultyStorage(mem);
    const h = await HistoryStore.open(faulty.log('history'), config, {
      logger: silent,
      now: Date.now,
      flushMs: 60_000,
    });
    faulty.inject({ on: 'append', kind: 'ENOSPC', log: 'history' });
    h.record(tr('db', 'refused'));
    await h.close();
    expect(h.stats.writeErrors).toBe(1);
    expect(mem.files.get(logKey('history'))).toBe('');
    const again = await HistoryStore.open(faulty.log('history'), config, {
      logger: silent,
      now: Date.now,
      flushMs: 60_000,
    });
    again.record(tr('db', 'written'));
    await again.close();
    expect(mem.files.get(logKey('history'))).toContain('"written"');
    expect(mem.files.get(logKey('history'))).not.toContain('"refused"');
  });

  it('compacts once at a time: transitions recorded while a rewrite is under way start no other', async () => {
    const mem = memoryStorage();
    const log = mem.log('history');
    let rewrites = 0;
    const counting = {
      ...log,
      describe: log.describe,
      read: () => log.read(),
      append: (text: string) => log.append(text),
      close: () => log.close(),
      replace: async (text: string) => {
        rewrites++;
        // A slow disk: the rewrite is still under way while more transitions come.
        await new Promise((r) => setTimeout(r, 20));
        await log.replace(text);
      },
    };
    // One entry kept per check: the file holds far more lines than are live, so it wants compacting.
    const h = await HistoryStore.open(counting, { ...config, perCheck: 1 }, { logger: silent, now: Date.now });
    const opened = rewrites;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 1000; i++) h.record(tr('db', `down ${round}.${i}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    await h.close();
    // 6 000 lines for 1 live entry: a few compactions, not one per transition past the threshold.
    expect(rewrites - opened).toBeGreaterThan(0);
    expect(rewrites - opened).toBeLessThan(10);
    // Nothing acknowledged was lost on the way: the live entry is the last one.
    const again = await HistoryStore.open(
      mem.log('history'),
      { ...config, perCheck: 1 },
      { logger: silent, now: Date.now },
    );
    expect(again.forCheck('db', 10).map((e) => e.message)).toEqual(['down 5.999']);
    await again.close();
  });

  it('keeps at most MAX_TRANSITION_MESSAGE characters of a message, a surrogate pair whole', async () => {
    const mem = memoryStorage();
    const h = await HistoryStore.open(mem.log('history'), config, { logger: silent, now: Date.now });
    const long = `${'x'.repeat(MAX_TRANSITION_MESSAGE - 2)}😀${'y'.repeat(100_000)}`;
    const e = h.record(tr('host-like', long));
    expect(e.message.length).toBeLessThanOrEqual(MAX_TRANSITION_MESSAGE);
    expect(e.message.endsWith('…')).toBe(true);
    // The cut fell inside the emoji: it is left out rather than split.
    expect(e.message).toBe(`${'x'.repeat(MAX_TRANSITION_MESSAGE - 2)}…`);
    await h.close();
  });
});
