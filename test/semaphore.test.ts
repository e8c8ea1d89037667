import { describe, expect, it } from 'vitest';
import { Semaphore } from '../src/lib/semaphore.js';

describe('Semaphore', () => {
  it('serves tens of thousands of waiters in FIFO order, at most `limit` at once', async () => {
    const s = new Semaphore(3);
    const order: number[] = [];
    let active = 0;
    let most = 0;
    const n = 20_000;
    const jobs = Array.from({ length: n }, async (_, i) => {
      await s.acquire();
      active++;
      most = Math.max(most, active);
      order.push(i);
      await Promise.resolve();
      active--;
      s.release();
    });
    expect(s.pending).toBe(n - 3);
    await Promise.all(jobs);
    expect(most).toBe(3);
    expect(order).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(s.pending).toBe(0);
  });

  it('wakes waiters at once when the limit is raised', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    let woke = 0;
    const waiting = [s.acquire(), s.acquire()].map((p) => p.then(() => woke++));
    expect(s.pending).toBe(2);
    s.limit = 3;
    await Promise.all(waiting);
    expect(woke).toBe(2);
    expect(s.pending).toBe(0);
  });
});
