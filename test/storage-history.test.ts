import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { HistoryStore } from '../src/history/store.js';
import { faultyStorage } from '../src/storage/faulty.js';
import { logKey, memoryStorage } from '../src/storage/memory.js';

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
});
