import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pino } from 'pino';
import { IndexLog } from '../src/history/index-log.js';
import { HistoryStore } from '../src/history/store.js';
import { memoryStorage } from '../src/storage/memory.js';

describe('IndexLog: history by event id', () => {
  type Op = { op: 'append' } | { op: 'remove'; pick: number } | { op: 'after'; at: number; limit: number };
  const ops = fc.array(
    fc.oneof(
      fc.constant<Op>({ op: 'append' }),
      fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({
        op: fc.constant('after' as const),
        at: fc.integer({ min: -1, max: 400 }),
        limit: fc.integer({ min: 1, max: 50 }),
      }),
    ),
    { maxLength: 600 },
  );

  it('answers like a sorted array filtered by index, through appends and removals in any order', () => {
    fc.assert(
      fc.property(ops, (list) => {
        const log = new IndexLog<{ index: number }>();
        let model: Array<{ index: number }> = [];
        let next = 0;
        for (const o of list) {
          if (o.op === 'append') {
            next += 1 + (next % 3);
            const e = { index: next };
            log.append(e);
            model.push(e);
          } else if (o.op === 'remove' && model.length > 0) {
            const e = model[o.pick % model.length]!;
            log.remove(e);
            model = model.filter((m) => m !== e);
          } else if (o.op === 'after') {
            const following = model.filter((m) => m.index > o.at);
            expect(log.after(o.at, o.limit)).toEqual(following.slice(0, o.limit));
            const start = log.startOfNewest(o.at, o.limit);
            expect(log.after(start, Infinity)).toEqual(following.slice(-o.limit));
          }
          expect(log.size).toBe(model.length);
        }
      }),
    );
  });
});

describe('HistoryStore by event id', () => {
  it('after() follows what history holds through per-check trims and purges, in index order', async () => {
    const config = { retention: 86_400_000, perCheck: 3 };
    let now = Date.now();
    const history = await HistoryStore.open(memoryStorage().log('history'), config, {
      logger: pino({ level: 'silent' }),
      now: () => now,
    });
    for (let i = 0; i < 200; i++)
      history.record({ check: `c${i % 7}`, from: 'OK', to: 'Critical', message: String(i), at: now + i });
    const held = () =>
      Array.from({ length: 7 }, (_, c) => history.forCheck(`c${c}`, 100))
        .flat()
        .map((e) => e.index)
        .sort((a, b) => a - b);
    expect(history.after(0, Infinity).map((e) => e.index)).toEqual(held());
    expect(held()).toHaveLength(21);
    const start = history.replayStart(0, 5);
    expect(history.after(start, Infinity).map((e) => e.index)).toEqual(held().slice(-5));
    // Two days later everything is past retention.
    now += 2 * 86_400_000;
    await history.purge();
    expect(history.after(0, Infinity)).toEqual([]);
    await history.close();
  });
});
