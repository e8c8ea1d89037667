import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { startHaproxy, type RunningHaproxy, type StatRow } from './helpers/haproxy.js';
import { freePort, megaphone } from './helpers/procs.js';
import { waitFor } from './helpers/wait.js';

let web: FakeService;
let api: FakeService;
let daemon: RunningDaemon;
let haproxy: RunningHaproxy;

beforeAll(async () => {
  web = await startFakeService();
  api = await startFakeService();
  const agentPort = await freePort();
  daemon = await spawnDaemon({
    defaults: { interval: '200ms', timeout: '2s' },
    agent: { port: agentPort, host: '127.0.0.1' },
    groups: { web: { checks: ['web-*'] }, api: { checks: ['api'] } },
  });
  for (const [id, svc] of [
    ['web-1', web],
    ['api', api],
  ] as const) {
    const res = await fetch(`${daemon.url}/checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, url: svc.url }),
    });
    expect(res.status).toBe(201);
  }
  // One agent port, three pools: two name their group with agent-send, one (host) sends nothing.
  const server = (name: string, send?: string) =>
    `  server ${name} 127.0.0.1:${daemon.port} weight 100 check inter 200ms agent-check agent-addr 127.0.0.1 ` +
    `agent-port ${agentPort} agent-inter 200ms${send ? ` agent-send "${send}\\n"` : ''}`;
  haproxy = await startHaproxy(
    [
      'backend be_agent',
      server('host1'),
      'backend be_web',
      server('web1', 'web'),
      'backend be_api',
      server('api1', 'api'),
      'backend be_ghost',
      server('ghost1', 'no-such-group'),
    ].join('\n'),
  );
});

afterAll(async () => {
  await haproxy?.stop();
  await daemon?.stop();
  await web?.close();
  await api?.close();
});

const state = (rows: Record<string, StatRow>, key: string) => rows[key]?.status?.split(' ')[0];

async function until(want: Record<string, string>): Promise<void> {
  let last: Record<string, StatRow> = {};
  await waitFor(async () => {
    last = await haproxy.stat();
    return Object.entries(want).every(([key, s]) => state(last, key) === s);
  }, 20_000).catch(() => {
    const seen = Object.fromEntries(Object.keys(want).map((k) => [k, last[k]?.status]));
    throw new Error(`haproxy never showed ${JSON.stringify(want)}; last: ${JSON.stringify(seen)}`);
  });
}

describe('the HAProxy agent answers per group (agent-send) with real haproxy', () => {
  it('a pool naming its group follows that group; no line or an unknown name follows the host', async () => {
    await until({ 'be_agent/host1': 'UP', 'be_web/web1': 'UP', 'be_api/api1': 'UP', 'be_ghost/ghost1': 'UP' });
    // The web pool's service fails: its pool and the host go down, the api pool stays in rotation.
    web.status('Critical', 'out of workers');
    await until({ 'be_agent/host1': 'DOWN', 'be_web/web1': 'DOWN', 'be_api/api1': 'UP', 'be_ghost/ghost1': 'DOWN' });

    web.status('OK', 'fine');
    await until({ 'be_agent/host1': 'UP', 'be_web/web1': 'UP', 'be_api/api1': 'UP', 'be_ghost/ghost1': 'UP' });
  });

  it('megaphone status --group is a Nagios plugin for the group', async () => {
    api.status('Warning', 'slow queries');
    await waitFor(async () => {
      const r = await fetch(`${daemon.url}/groups/api`);
      return ((await r.json()) as { status: string }).status === 'Warning';
    }, 10_000);
    const group = await megaphone(['status', '--group', 'api', '--url', daemon.url]);
    expect(group.code).toBe(1);
    expect(group.stdout).toMatch(/^WARNING - api:Warning:slow queries \| ok=0 warning=1 critical=0 unknown=0\n$/);
    const web1 = await megaphone(['status', '--group', 'web', '--url', daemon.url]);
    expect(web1.code).toBe(0);
    const missing = await megaphone(['status', '--group', 'nope', '--url', daemon.url]);
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe('UNKNOWN - no group "nope" on this megaphone\n');
    api.status('OK', 'fine');
  });

  it('/metrics has each group status, its members and the OK ones', async () => {
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(text).toMatch(/^megaphone_group_status\{group="web"\} \d$/m);
    expect(text).toMatch(/^megaphone_group_members\{group="web"\} 1$/m);
    expect(text).toMatch(/^megaphone_group_members_ok\{group="api"\} [01]$/m);
    expect(text).not.toMatch(/megaphone_group_min_healthy\{/);
  });
});
