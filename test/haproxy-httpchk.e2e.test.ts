import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startHaproxy, type RunningHaproxy, type StatRow } from './helpers/haproxy.js';
import { waitFor } from './helpers/wait.js';

let daemon: RunningDaemon;
let haproxy: RunningHaproxy;

beforeAll(async () => {
  daemon = await spawnDaemon({ checks: [{ id: 'app', ttl: '10m' }] });
  // be_agent is the helper's default backend. Bare `option httpchk`: HAProxy 2.6 sends `OPTIONS / HTTP/1.0` and reads
  // only the status code.
  haproxy = await startHaproxy(
    [
      'backend be_agent',
      '  option httpchk',
      `  server web 127.0.0.1:${daemon.port} check inter 200ms fall 1 rise 1`,
    ].join('\n'),
  );
});

afterAll(async () => {
  await haproxy?.stop();
  await daemon?.stop();
});

const report = async (status: string) => {
  const res = await fetch(`${daemon.url}/checks/app/status`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status }),
  });
  expect(res.status).toBe(200);
};

async function until(want: 'UP' | 'DOWN'): Promise<StatRow> {
  let last: StatRow | undefined;
  try {
    return (await waitFor(async () => {
      last = (await haproxy.stat())['be_agent/web'];
      return last?.status?.split(' ')[0] === want && last;
    }, 20_000)) as StatRow;
  } catch {
    throw new Error(
      `haproxy never showed ${want}; last: ` +
        `${JSON.stringify({ status: last?.status, check: last?.check_status, code: last?.check_code })}\n` +
        haproxy.proc.output(),
    );
  }
}

describe("haproxy's bare `option httpchk` (OPTIONS /) follows the host", () => {
  it('UP while OK, DOWN while Critical, UP again', async () => {
    await report('OK');
    expect((await until('UP')).check_code).toBe('200');
    await report('Critical');
    expect((await until('DOWN')).check_code).toBe('503');
    await report('OK');
    await until('UP');
  });

  it('OPTIONS / answers like GET /, with Allow', async () => {
    await report('Critical');
    const res = await fetch(`${daemon.url}/`, { method: 'OPTIONS' });
    expect(res.status).toBe(503);
    expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(await res.json()).toMatchObject({ status: 'Critical' });
    expect((await fetch(`${daemon.url}/`, { method: 'HEAD' })).status).toBe(503);
    await report('OK');
    expect((await fetch(`${daemon.url}/`, { method: 'OPTIONS' })).status).toBe(200);
  });
});
