import { describe, expect, it } from 'vitest';
import { compileCheck } from '../src/checks/compile.js';
import { PollFeed } from '../src/polling/feed.js';
import type { Scheduler } from '../src/polling/scheduler.js';
import { CheckTable } from '../src/table/check-table.js';
import { createEventBus } from '../src/table/events.js';

// A unit test of PollFeed alone: the delays it asks the scheduler for are the spread (the timers are the scheduler's).

const INTERVAL_MS = 10_000;
const DEFAULTS = { interval: INTERVAL_MS, timeout: 1000 };

// A seeded generator: the spread is random, the test is not.
function seeded(seed = 42): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** A feed over `n` held HTTP checks, with a scheduler that only records the first delay of each. */
function feedOver(n: number) {
  const bus = createEventBus();
  const table = new CheckTable(bus, Date.now);
  const firstDelay = new Map<string, number>();
  const scheduler = {
    schedule: (id: string, _interval: number, _timeout: number, _poll: unknown, delay = 0) =>
      void firstDelay.set(id, delay),
    unschedule: (id: string) => void firstDelay.delete(id),
    stop: () => undefined,
  } as unknown as Scheduler;
  const feed = new PollFeed(table, bus, scheduler, () => Promise.reject(new Error('not polled here')), seeded());
  const add = (id: string) => table.upsert(compileCheck({ id, url: `http://127.0.0.1:9/${id}` }, 'api', DEFAULTS));
  for (let i = 0; i < n; i++) add(`svc-${i}`);
  return { feed, firstDelay, add };
}

describe('the first poll round after a start', () => {
  it('spreads 10 000 held checks over their interval: no tenth of it holds more than twice its share', () => {
    const { feed, firstDelay } = feedOver(10_000);
    feed.start();
    const tenths = new Array<number>(10).fill(0);
    for (const d of firstDelay.values()) tenths[Math.min(9, Math.floor(d / (INTERVAL_MS / 10)))]!++;
    expect(firstDelay.size).toBe(10_000);
    expect(Math.max(...tenths)).toBeLessThanOrEqual(2 * 1000);
    expect(Math.max(...firstDelay.values())).toBeGreaterThan(0.9 * INTERVAL_MS);
  });

  it('polls a handful of held checks at once (within a few ms), and a check registered later at once', () => {
    const { feed, firstDelay, add } = feedOver(5);
    feed.start();
    expect(Math.max(...firstDelay.values())).toBeLessThan(5);
    add('late');
    expect(firstDelay.get('late')).toBe(0);
  });
});
