import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../src/config/load.js';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.js';
import { megaphone } from './helpers/procs.js';

// Durations an operator might write, and whether the one duration schema takes them as an interval.
const INTERVALS: Array<[unknown, number | undefined]> = [
  [0, undefined],
  [1, undefined],
  ['50ms', undefined],
  ['99ms', undefined],
  ['100ms', 100],
  [100, 100],
  ['10s', 10_000],
  ['1.5m', 90_000],
  ['1d', 86_400_000],
  ['25h', undefined],
  [' 10s', undefined],
  ['10 s', undefined],
  ['-1s', undefined],
  ['1e3', undefined],
  [1.5e3, 1500],
  [100.5, undefined],
  ['10', undefined],
  ['10S', undefined],
  [null, undefined],
];

describe('one duration schema for config and API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
  });
  afterAll(() => t.close());

  it.each(INTERVALS)('interval %j: config defaults, config checks and the API agree (%j ms)', async (value, ms) => {
    const asDefault = () => parseConfig({ defaults: { interval: value, timeout: '50ms' } }).defaults.interval;
    const asCheck = () =>
      parseConfig({ checks: [{ id: 'c', url: 'http://127.0.0.1:1/', interval: value, timeout: '50ms' }] });
    const res = await t.request
      .post('/checks')
      .send({ id: 'c', url: 'http://127.0.0.1:1/', interval: value, timeout: '50ms' });
    if (ms === undefined) {
      expect(asDefault).toThrow(/`defaults\.interval` must be/);
      expect(asCheck).toThrow(/`checks\.0\.interval` must be/);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/`interval` must be/);
    } else {
      expect(asDefault()).toBe(ms);
      expect(asCheck).not.toThrow();
      expect(res.status).toBeLessThan(300);
      expect(t.table.get('c')?.check.intervalMs).toBe(ms);
    }
  });

  it('a status word is one schema: statusoverride and notify.on take the same words', () => {
    for (const word of ['ok', 'WARNING', 'Critical', 'unknown']) {
      expect(() => parseConfig({ notify: [{ url: 'http://127.0.0.1:9/', on: [word] }] })).not.toThrow();
      expect(() =>
        parseConfig({ checks: [{ id: 'c', url: { addr: 'http://127.0.0.1:1/', statusoverride: word } }] }),
      ).not.toThrow();
    }
    for (const word of ['pass', 'crit', '']) {
      expect(() => parseConfig({ notify: [{ url: 'http://127.0.0.1:9/', on: [word] }] })).toThrow(
        /must be one of OK, Unknown, Warning, Critical/,
      );
      expect(() =>
        parseConfig({ checks: [{ id: 'c', url: { addr: 'http://127.0.0.1:1/', statusoverride: word } }] }),
      ).toThrow(/must be one of OK, Unknown, Warning, Critical/);
    }
  });

  it('a check id is one schema: notify.checks, config checks and the API refuse dot-only ids alike', async () => {
    for (const id of ['.', '..', '...']) {
      expect(() => parseConfig({ notify: [{ url: 'http://127.0.0.1:9/', checks: [id] }] })).toThrow(
        /`notify\.0\.checks\.0` must be 1-128 characters/,
      );
      expect(() => parseConfig({ checks: [{ id, ttl: '1m' }] })).toThrow(/`checks\.0\.id` must be 1-128 characters/);
      const res = await t.request.post('/checks').send({ id, ttl: '1m' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'E_VALIDATION',
        error: expect.stringMatching(/`id` must be 1-128 characters/),
      });
    }
  });
});

describe('a config outside the bounds stops start-up', () => {
  it.each([
    [{ defaults: { interval: 0 } }, /`defaults\.interval` must be between 100ms and 1d, got 0/],
    [{ defaults: { interval: '50ms' } }, /`defaults\.interval` must be between 100ms and 1d, got "50ms"/],
    [{ defaults: { timeout: 0 } }, /`defaults\.timeout` must be between 1ms and 1d, got 0/],
  ])('%j: one line naming the key, exit 1', async (conf, pattern) => {
    const file = path.join(tempDir(), 'm.json');
    writeFileSync(file, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, ...conf }));
    const r = await megaphone(['serve', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
