import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { storedChecks } from './helpers/stored.js';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeService } from './helpers/fake-service.js';
import { tempDir } from './helpers/app.js';
import { waitFor } from './helpers/wait.js';

const running: RunningDaemon[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.kill9()));
});

async function start(dir: string, config: Record<string, unknown> = {}) {
  const d = await spawnDaemon(
    { dataFile: 'db.json', defaults: { interval: '300ms', timeout: '250ms' }, ...config },
    { dir },
  );
  running.push(d);
  return d;
}

const register = (d: RunningDaemon, id: string, url: string) =>
  fetch(`${d.url}/checks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, url }),
  });

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('persistence', () => {
  it('a restart keeps every registration and polls each again at once', async () => {
    const dir = tempDir('megaphone-e2e-');
    const svc = await startFakeService({ body: { status: 'Warning', message: 'still here' } });
    try {
      const first = await start(dir);
      expect((await register(first, 'kept', svc.url)).status).toBe(201);
      expect(await first.stop()).toBe(0);
      running.splice(running.indexOf(first), 1);
      const hitsBefore = svc.hits;
      const second = await start(dir, { defaults: { interval: '1h', timeout: '1s' } });
      expect(await (await fetch(`${second.url}/checks`)).json()).toEqual({ kept: svc.url });
      // Interval is an hour: only an immediate poll can turn it Warning.
      await waitFor(
        async () => ((await (await fetch(second.url)).json()) as { status: string }).status === 'Warning',
        10_000,
      );
      expect(svc.hits).toBeGreaterThan(hitsBefore);
    } finally {
      await svc.close();
    }
  });

  it('kill -9 during 300 concurrent registrations loses none that were acknowledged', async () => {
    const dir = tempDir('megaphone-e2e-');
    const d = await start(dir);
    const acked: string[] = [];
    const attempts = Array.from({ length: 300 }, (_, i) => {
      const id = `svc-${i}`;
      return register(d, id, `http://127.0.0.1:9/${i}`).then(
        (res) => {
          if (res.status === 201) acked.push(id);
        },
        () => undefined,
      );
    });
    // Let part of the burst land, then pull the plug mid-flight.
    await waitFor(() => acked.length >= 40, 10_000, 1);
    await d.kill9();
    await Promise.all(attempts);
    expect(acked.length).toBeGreaterThanOrEqual(40);
    const stored = storedChecks(path.join(dir, 'db.json'));
    for (const id of acked) expect(stored[id], `acknowledged ${id} is on disk`).toBeDefined();

    const restarted = await start(dir);
    const listed = (await (await fetch(`${restarted.url}/checks`)).json()) as Record<string, string>;
    for (const id of acked) expect(listed[id]).toBe(`http://127.0.0.1:9/${id.slice(4)}`);
  });

  it.each([
    ['empty', ''],
    ['corrupt', '{"version":1,"checks":{"a":'],
  ])('refuses to start on an %s data file, names it, and leaves it untouched', async (_kind, content) => {
    const dir = tempDir('megaphone-e2e-');
    const file = path.join(dir, 'db.json');
    writeFileSync(file, content);
    const conf = path.join(dir, 'c.json');
    writeFileSync(conf, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, dataFile: 'db.json' }));
    const { code, stderr } = await runCli(['serve', '--config', conf]);
    expect(code).not.toBe(0);
    expect(stderr).toContain(file);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });
});
