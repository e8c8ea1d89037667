import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { waitFor } from './helpers/wait.js';
import { TRANSITION_LINES_PER_MINUTE } from '../src/ops/transition-log.js';

// Spawns the BUILT daemon: `npm test` builds first (or run `npm run build`).

interface Line {
  level: number;
  msg: string;
  [field: string]: unknown;
}
const INFO = 30;
const WARN = 40;

let d: RunningDaemon | undefined;
afterEach(async () => {
  await d?.kill9();
  d = undefined;
});

const lines = (daemon: RunningDaemon): Line[] =>
  daemon
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

/** Waits for a log line with these fields, and returns it. */
const logged = (daemon: RunningDaemon, want: Partial<Line>) =>
  waitFor(
    () => lines(daemon).find((l) => Object.entries(want).every(([k, v]) => JSON.stringify(l[k]) === JSON.stringify(v))),
    5000,
  );

async function send(daemon: RunningDaemon, method: string, path: string, body?: unknown): Promise<number> {
  const res = await fetch(`${daemon.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}
const push = (daemon: RunningDaemon, id: string, status: string, message = `${id} says ${status}`) =>
  send(daemon, 'PUT', `/checks/${id}/status`, { status, message });

describe('the operator log of the built daemon (pino JSON on stdout)', () => {
  it('a check going Critical is a warn line; its recovery an info line; the host likewise', async () => {
    d = await spawnDaemon();
    expect(await send(d, 'POST', '/checks', { id: 'db', ttl: '1h' })).toBe(201);
    await logged(d, { level: INFO, msg: 'check registered', check: 'db', source: 'api', kind: 'push' });

    expect(await push(d, 'db', 'Critical', 'connection refused')).toBe(200);
    await logged(d, {
      level: WARN,
      msg: 'check status changed',
      check: 'db',
      from: 'Unknown',
      to: 'Critical',
      message: 'connection refused',
    });
    await logged(d, { level: WARN, msg: 'host status changed', scope: 'host', from: 'Unknown', to: 'Critical' });

    // A dependent's problem names its likely root cause.
    expect(await send(d, 'POST', '/checks', { id: 'app', ttl: '1h', dependsOn: ['db'] })).toBe(201);
    expect(await push(d, 'app', 'Warning', 'slow')).toBe(200);
    await logged(d, { level: WARN, msg: 'check status changed', check: 'app', to: 'Warning', blockedBy: ['db'] });

    expect(await push(d, 'db', 'OK', 'accepting')).toBe(200);
    await logged(d, { level: INFO, msg: 'check status changed', check: 'db', from: 'Critical', to: 'OK' });
    expect(await push(d, 'app', 'OK')).toBe(200);
    await logged(d, { level: INFO, msg: 'host status changed', scope: 'host', to: 'OK' });

    expect(await send(d, 'DELETE', '/checks/app')).toBe(204);
    await logged(d, { level: INFO, msg: 'check removed', check: 'app', source: 'api' });
  });

  it(
    `a flapping check logs at most ${TRANSITION_LINES_PER_MINUTE} transitions a minute, ` +
      'then one line with how many were not',
    async () => {
      d = await spawnDaemon();
      expect(await send(d, 'POST', '/checks', { id: 'flappy', ttl: '1h' })).toBe(201);
      const pushes = 40;
      for (let i = 0; i < pushes; i++) expect(await push(d, 'flappy', i % 2 === 0 ? 'Critical' : 'OK')).toBe(200);
      const state = (await (await fetch(`${d.url}/checks/flappy/state`)).json()) as { status: string };
      expect(state.status).toBe('OK');
      // The summary of the minute is written by then at the latest.
      expect(await d.stop()).toBe(0);
      const of = (check: string) => lines(d!).filter((l) => l.msg === 'check status changed' && l.check === check);
      expect(of('flappy')).toHaveLength(TRANSITION_LINES_PER_MINUTE);
      const summary = lines(d).filter((l) => typeof l.dropped === 'number' && l.check === 'flappy');
      expect(summary).toEqual([
        expect.objectContaining({
          level: WARN,
          dropped: pushes - TRANSITION_LINES_PER_MINUTE,
          msg: `${pushes - TRANSITION_LINES_PER_MINUTE} transitions of flappy not logged (at most 10 a minute)`,
        }),
      ]);
      // The host flapped with it: limited the same way.
      expect(lines(d).filter((l) => l.msg === 'host status changed')).toHaveLength(TRANSITION_LINES_PER_MINUTE);
      expect(lines(d).filter((l) => l.scope === 'host' && typeof l.dropped === 'number')).toHaveLength(1);
    },
  );

  it('maintenance on, changed (saying what it replaced) and off are one info line each', async () => {
    d = await spawnDaemon();
    expect(await send(d, 'PUT', '/maintenance', { reason: 'swap disks', ttl: '1h' })).toBe(201);
    await logged(d, { level: INFO, msg: 'maintenance on', reason: 'swap disks' });
    expect(await send(d, 'PUT', '/maintenance', { reason: 'swap more disks' })).toBe(200);
    const changed = await logged(d, { level: INFO, msg: 'maintenance changed', reason: 'swap more disks' });
    expect(changed.until).toBeNull();
    expect(changed.replaced).toMatchObject({ reason: 'swap disks', until: expect.stringMatching(/Z$/) });
    expect(await send(d, 'DELETE', '/maintenance')).toBe(204);
    await logged(d, { level: INFO, msg: 'maintenance off', reason: 'swap more disks', cause: 'lifted' });
    expect(lines(d).filter((l) => String(l.msg).startsWith('maintenance '))).toHaveLength(3);
  });

  it('a check added or removed by a config reload (SIGHUP) is logged', async () => {
    d = await spawnDaemon({ checks: [{ id: 'from-config', ttl: '1h' }] });
    // Start-up loads are summed up, not one line each.
    expect(lines(d).some((l) => l.msg === 'check registered')).toBe(false);
    writeFileSync(
      d.configFile,
      JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, checks: [{ id: 'added', ttl: '1h' }] }),
    );
    d.proc.kill('SIGHUP');
    await logged(d, { level: INFO, msg: 'check registered', check: 'added', source: 'config' });
    await logged(d, { level: INFO, msg: 'check removed', check: 'from-config', source: 'config' });
  });
});
