import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './helpers/app.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { background, freePort, run, type Background } from './helpers/procs.js';
import { waitFor } from './helpers/wait.js';

let svc: FakeService;
let daemon: RunningDaemon;
let prometheus: Background;
let promUrl: string;

beforeAll(async () => {
  svc = await startFakeService({ body: { status: 'Critical', message: 'disk full' } });
  daemon = await spawnDaemon({ defaults: { interval: '250ms' } });
  const res = await fetch(`${daemon.url}/checks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'disk', url: svc.url }),
  });
  expect(res.status).toBe(201);
  const dir = tempDir('megaphone-prometheus-');
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: megaphone',
      '    static_configs:',
      `      - targets: ["127.0.0.1:${daemon.port}"]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = background(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    dir,
  );
});

afterAll(async () => {
  await prometheus?.stop();
  await daemon?.stop();
  await svc?.close();
});

interface QueryReply {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

async function query(q: string): Promise<QueryReply['data']['result']> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as QueryReply;
  expect(body.status).toBe('success');
  return body.data.result;
}

describe('a real prometheus scraping megaphone', () => {
  it('promtool accepts the daemon /metrics with no problems', async () => {
    await waitFor(
      async () =>
        (await (await fetch(`${daemon.url}/metrics`)).text()).includes('megaphone_poll_results_total{check="disk"'),
      15_000,
    );
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    const lint = await run('promtool', ['check', 'metrics'], { input: text });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.code).toBe(0);
  });

  it('returns megaphone_host_status and per-check series from its query API', async () => {
    const host = (await waitFor(async () => {
      const r = await query('megaphone_host_status');
      return r[0]?.value[1] === '3' ? r : undefined;
    }, 45_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${prometheus.output().slice(-3000)}`);
    })) as QueryReply['data']['result'];
    expect(host[0]?.metric).toMatchObject({
      __name__: 'megaphone_host_status',
      job: 'megaphone',
      instance: `127.0.0.1:${daemon.port}`,
    });
    const checks = (await waitFor(async () => {
      const r = await query('megaphone_check_status');
      return r.length > 0 ? r : undefined;
    }, 20_000)) as QueryReply['data']['result'];
    expect(checks.map((c) => [c.metric.check, c.metric.source, c.value[1]])).toEqual([['disk', 'api', '3']]);
    expect((await query('up{job="megaphone"}'))[0]?.value[1]).toBe('1');
  });
});
