import { describe, expect, it } from 'vitest';
import { Scheduler } from '../src/polling/scheduler.js';
import type { Result } from '../src/probes/result.js';
import { waitFor } from './helpers/wait.js';

// A poll that only ends when its signal aborts, reporting why.
const untilAborted = (signal: AbortSignal) =>
  new Promise<Result>((resolve) =>
    signal.addEventListener('abort', () => {
      const reason = signal.reason as { name?: string };
      resolve({ status: 'Critical', message: String(reason?.name), latencyMs: 0, at: Date.now() });
    }),
  );

describe('scheduler deadline', () => {
  it('aborts a poll that outlives its timeout with a TimeoutError and reports its result', async () => {
    const results: Result[] = [];
    const scheduler = new Scheduler({ concurrency: 4, onResult: (_id, r) => results.push(r) });
    scheduler.schedule('slow', 60_000, 50, untilAborted);
    await waitFor(() => results.length === 1, 10_000);
    expect(results[0]?.message).toBe('TimeoutError');
    scheduler.stop();
  });

  it('aborts a poll in flight when unscheduled, not as a timeout, and drops its result', async () => {
    const results: Result[] = [];
    let reason: unknown;
    const scheduler = new Scheduler({ concurrency: 4, onResult: (_id, r) => results.push(r) });
    scheduler.schedule('gone', 60_000, 60_000, (signal) => {
      signal.addEventListener('abort', () => (reason = signal.reason));
      return untilAborted(signal);
    });
    await new Promise((r) => setTimeout(r, 20));
    scheduler.unschedule('gone');
    await waitFor(() => reason !== undefined, 10_000);
    expect((reason as Error).name).not.toBe('TimeoutError');
    await new Promise((r) => setTimeout(r, 20));
    expect(results).toEqual([]);
  });

  it('a poll that finishes in time is not aborted later', async () => {
    let signal: AbortSignal | undefined;
    const results: Result[] = [];
    const scheduler = new Scheduler({ concurrency: 4, onResult: (_id, r) => results.push(r) });
    scheduler.schedule('fast', 60_000, 30, async (s) => {
      signal = s;
      return { status: 'OK', message: 'fine', latencyMs: 0, at: Date.now() };
    });
    await waitFor(() => results.length === 1, 10_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(signal?.aborted).toBe(false);
    scheduler.stop();
  });
});
