import { describe, expect, it } from 'vitest';
import type { Check } from '../src/checks/definition.js';
import { CheckTable } from '../src/table/check-table.js';
import { createEventBus } from '../src/table/events.js';
import { StalenessSweeper } from '../src/table/sweeper.js';
import { Thresholds } from '../src/table/thresholds.js';
import { compileCheck } from '../src/checks/compile.js';
import { parseRegistration } from '../src/checks/spec.js';
import { parseConfig } from '../src/config/load.js';

const defaults = parseConfig({}).defaults;
const check = (body: Record<string, unknown>): Check => compileCheck(parseRegistration(body), 'api', defaults);

/** A check table and its sweeper on a hand-moved clock, nothing polling: only results we feed arrive. */
function makeMonitor() {
  const clock = { now: 1_000_000 };
  const bus = createEventBus();
  const table = new CheckTable(bus, () => clock.now);
  const thresholds = new Thresholds(table, bus);
  const sweeper = new StalenessSweeper(table, bus, () => clock.now);
  const ok = (id: string, at = clock.now) => thresholds.record(id, { status: 'OK', message: 'fine', latencyMs: 1, at });
  const monitor = { upsert: table.upsert.bind(table), get: table.get.bind(table), sweep: () => sweeper.sweep() };
  return { clock, monitor, ok };
}

// The sweep skips its scan until the soonest possible expiry; these prove the skip never hides one.
describe('the staleness sweep', () => {
  it('turns a quiet check stale once its 3 intervals pass, naming when its last result came (no ticking age)', () => {
    const { clock, monitor, ok } = makeMonitor();
    monitor.upsert(check({ id: 'a', url: 'http://127.0.0.1:9/', interval: '10s', timeout: '1s' }));
    ok('a');
    const lastResult = new Date(clock.now).toISOString().replace('.000Z', 'Z');
    monitor.sweep();
    clock.now += 30_000;
    monitor.sweep();
    expect(monitor.get('a')?.status).toBe('OK');
    clock.now += 1_000;
    monitor.sweep();
    const stale = `stale: last result at ${lastResult}`;
    expect(monitor.get('a')).toMatchObject({ status: 'Unknown', message: stale, stale: true });
    clock.now += 5_000;
    monitor.sweep();
    expect(monitor.get('a')?.message).toBe(stale);
  });

  it('sees a check registered after a quiet sweep, and a check retimed to a shorter interval', () => {
    const { clock, monitor, ok } = makeMonitor();
    const start = new Date(clock.now).toISOString().replace('.000Z', 'Z');
    monitor.upsert(check({ id: 'slow', url: 'http://127.0.0.1:9/', interval: '1m', timeout: '1s' }));
    ok('slow');
    monitor.sweep();
    monitor.upsert(check({ id: 'fast', url: 'http://127.0.0.1:9/', interval: '1s', timeout: '500ms' }));
    clock.now += 4_000;
    monitor.sweep();
    expect(monitor.get('fast')).toMatchObject({ status: 'Unknown', message: `stale: no result since ${start}` });
    expect(monitor.get('slow')?.status).toBe('OK');
    monitor.upsert(check({ id: 'slow', url: 'http://127.0.0.1:9/', interval: '1s', timeout: '500ms' }), {
      keepState: true,
    });
    monitor.sweep();
    expect(monitor.get('slow')).toMatchObject({ status: 'Unknown', message: `stale: last result at ${start}` });
  });

  it('expires a push check whose report arrives already old', () => {
    const { clock, monitor, ok } = makeMonitor();
    monitor.upsert(check({ id: 'p', ttl: '1m' }));
    monitor.sweep();
    ok('p', clock.now - 61_000);
    monitor.sweep();
    const at = new Date(clock.now - 61_000).toISOString().replace('.000Z', 'Z');
    expect(monitor.get('p')).toMatchObject({ status: 'Critical', message: `no report since ${at} (ttl 1m)` });
  });
});
