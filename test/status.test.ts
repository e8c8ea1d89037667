import { describe, expect, it } from 'vitest';
import { normalizeStatus } from '../src/status.js';
import { summarize } from '../src/summary/aggregate.js';
import { formatDuration, parseDuration } from '../src/lib/duration.js';

describe('status words', () => {
  it.each([
    ['OK', 'OK'],
    ['ok', 'OK'],
    ['pass', 'OK'],
    ['passing', 'OK'],
    ['UP', 'OK'],
    ['Warning', 'Warning'],
    ['WARN', 'Warning'],
    ['warning', 'Warning'],
    ['Critical', 'Critical'],
    ['CRIT', 'Critical'],
    ['ERR', 'Critical'],
    ['fail', 'Critical'],
    ['DOWN', 'Critical'],
    ['OUT_OF_SERVICE', 'Critical'],
    ['critical', 'Critical'],
    ['Unknown', 'Unknown'],
    ['UNK', 'Unknown'],
  ])('%s normalizes to %s', (word, status) => {
    expect(normalizeStatus(word)).toBe(status);
  });

  it.each([['green'], [''], [3], [null], [{}]])('%j is not a status', (v) => {
    expect(normalizeStatus(v)).toBeUndefined();
  });
});

describe('summarize', () => {
  it('orders OK < Unknown < Warning < Critical and lists problems worst first', () => {
    const s = summarize([
      { id: 'a', status: 'Unknown', message: 'u' },
      { id: 'b', status: 'OK', message: 'fine' },
      { id: 'c', status: 'Critical', message: 'down' },
      { id: 'd', status: 'Warning', message: 'slow' },
    ]);
    expect(s.status).toBe('Critical');
    expect(s.message).toBe('c:Critical:down; d:Warning:slow; a:Unknown:u');
    expect(s.counts).toEqual({ OK: 1, Unknown: 1, Warning: 1, Critical: 1 });
  });

  it('lets the --global check force the host status and lead the message', () => {
    const s = summarize([{ id: 'a', status: 'OK', message: '' }], {
      id: '--global',
      status: 'Critical',
      message: 'drained',
    });
    expect(s.status).toBe('Critical');
    expect(s.message).toBe('--global:Critical:drained');
  });
});

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [42, 42],
  ])('%s is %d ms', (v, ms) => {
    expect(parseDuration(v)).toBe(ms);
  });
  it.each([['10'], ['ten s'], [-1], ['5x'], [null]])('%j is not a duration', (v) => {
    expect(parseDuration(v)).toBeUndefined();
  });
  it('formats milliseconds for messages', () => {
    expect([250, 3000, 1500, 120_000].map(formatDuration)).toEqual(['250ms', '3s', '1.5s', '2m']);
  });
});
