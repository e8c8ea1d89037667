import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { startHaproxy, type RunningHaproxy, type StatRow } from './helpers/haproxy.js';
import { freePort } from './helpers/procs.js';
import { waitFor } from './helpers/wait.js';

let svc: FakeService;
let daemon: RunningDaemon;
let haproxy: RunningHaproxy;

beforeAll(async () => {
  svc = await startFakeService();
  const agentPort = await freePort();
  daemon = await spawnDaemon({
    defaults: { interval: '200ms', timeout: '2s' },
    agent: { port: agentPort, host: '127.0.0.1' },
  });
  const put = await fetch(`${daemon.url}/checks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'web', url: svc.url }),
  });
  expect(put.status).toBe(201);
  // web1 is steered by the agent only; web2 by an HTTP check of GET /.
  haproxy = await startHaproxy(
    [
      'backend be_agent',
      `  server web1 127.0.0.1:${daemon.port} weight 100 check inter 200ms agent-check agent-addr 127.0.0.1 ` +
        `agent-port ${agentPort} agent-inter 200ms`,
      'backend be_http',
      '  option httpchk GET /',
      `  server web2 127.0.0.1:${daemon.port} check inter 200ms fall 1 rise 1`,
    ].join('\n'),
  );
});

afterAll(async () => {
  await haproxy?.stop();
  await daemon?.stop();
  await svc?.close();
});

// haproxy says "DOWN (agent)" when the agent set it: the first word is the state.
const is = (status: string | undefined, want: string) => status?.split(' ')[0] === want;

async function until(want: { web1: string; web2: string; weight?: string }): Promise<Record<string, StatRow>> {
  let last: Record<string, StatRow> = {};
  try {
    return (await waitFor(async () => {
      last = await haproxy.stat();
      const w1 = last['be_agent/web1'];
      const w2 = last['be_http/web2'];
      const ok =
        is(w1?.status, want.web1) &&
        is(w2?.status, want.web2) &&
        (want.weight === undefined || w1?.weight === want.weight);
      return ok ? last : undefined;
    }, 20_000)) as Record<string, StatRow>;
  } catch {
    const pick = (r?: StatRow) =>
      r && {
        status: r.status,
        weight: r.weight,
        check: r.check_status,
        agent: r.agent_status,
        desc: r.agent_desc ?? r.last_agt,
      };
    throw new Error(
      `haproxy never showed ${JSON.stringify(want)}; last: ` +
        `${JSON.stringify({ web1: pick(last['be_agent/web1']), web2: pick(last['be_http/web2']) })}\n` +
        haproxy.proc.output(),
    );
  }
}

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${daemon.url}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });

describe('haproxy sees what megaphone says', () => {
  it('OK → Critical → maintenance → OK: UP, DOWN, DRAIN, UP; Warning halves the weight', async () => {
    await until({ web1: 'UP', web2: 'UP', weight: '100' });

    svc.status('Critical', 'db gone');
    const down = await until({ web1: 'DOWN', web2: 'DOWN' });
    expect(down['be_agent/web1']?.status).toBe('DOWN (agent)');
    expect(down['be_agent/web1']?.last_agt).toContain('db gone');

    svc.status('OK');
    await until({ web1: 'UP', web2: 'UP', weight: '100' });

    expect((await send('PUT', '/maintenance', { reason: 'kernel upgrade' })).status).toBe(201);
    // The agent drains web1 (still UP for health, no new traffic); the HTTP check sees 503.
    await until({ web1: 'DRAIN', web2: 'DOWN' });

    expect((await send('DELETE', '/maintenance')).status).toBe(204);
    await until({ web1: 'UP', web2: 'UP', weight: '100' });

    svc.status('Warning', 'slow');
    await until({ web1: 'UP', web2: 'UP', weight: '50' });

    svc.status('OK');
    await until({ web1: 'UP', web2: 'UP', weight: '100' });
  });
});
