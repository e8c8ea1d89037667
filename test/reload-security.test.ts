import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { waitFor } from './helpers/wait.js';

let daemon: RunningDaemon | undefined;
let svc: FakeService | undefined;
afterEach(async () => {
  await daemon?.stop();
  await svc?.close();
  daemon = svc = undefined;
});

type Log = { msg: string; applied?: string[] };
const reloads = (d: RunningDaemon): Log[] =>
  d
    .logs()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Log)
    .filter((l) => l.msg === 'config reloaded');

async function reload(d: RunningDaemon, config: object): Promise<Log> {
  const before = reloads(d).length;
  writeFileSync(d.configFile, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, ...config }));
  d.proc.kill('SIGHUP');
  return waitFor(() => reloads(d)[before], 15_000);
}

const register = (d: RunningDaemon, id: string, url: string, token?: string) =>
  fetch(`${d.url}/checks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ id, url }),
  });

describe('SIGHUP reload of security settings', () => {
  it('a new targets.allow governs registrations and polls from the reload on', async () => {
    svc = await startFakeService({ body: { status: 'OK', message: 'fine' } });
    daemon = await spawnDaemon({ targets: { allow: ['::1'] }, defaults: { interval: '300ms', timeout: '250ms' } });
    const refused = await register(daemon, 'web', svc.url);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: string }).code).toBe('E_TARGET_REFUSED');

    expect(
      (await reload(daemon, { targets: { allow: ['127.0.0.0/8'] }, defaults: { interval: '300ms', timeout: '250ms' } }))
        .applied,
    ).toContain('targets');
    expect((await register(daemon, 'web', svc.url)).status).toBe(201);
    const d = daemon;
    await waitFor(async () => ((await (await fetch(d.url)).json()) as { status: string }).status === 'OK', 10_000);

    // Narrowing it again refuses the next poll, even over a kept-alive connection.
    await reload(daemon, { targets: { allow: ['::1'] }, defaults: { interval: '300ms', timeout: '250ms' } });
    const pulled = await waitFor(async () => {
      const b = (await (await fetch(d.url)).json()) as { status: string; message: string };
      return b.status === 'Critical' && b;
    }, 10_000);
    expect(pulled.message).toMatch(/^web:Critical:.*127\.0\.0\.1.*not in targets\.allow/);
  });

  it('a rotated token file is read again: the old token is refused, the new one accepted', async () => {
    svc = await startFakeService({ body: { status: 'OK' } });
    const dir = (await import('./helpers/app.js')).tempDir('megaphone-e2e-');
    const tokenFile = path.join(dir, 'token');
    const [oldToken, newToken] = ['old-token-0123456789abcdef', 'new-token-0123456789abcdef'];
    writeFileSync(tokenFile, `${oldToken}\n`);
    const conf = { auth: { tokenFile, requireTokenOnLoopback: true } };
    daemon = await spawnDaemon(conf, { dir });
    expect((await register(daemon, 'a', svc.url)).status).toBe(403);
    expect((await register(daemon, 'a', svc.url, oldToken)).status).toBe(201);

    writeFileSync(tokenFile, `${newToken}\n`);
    expect((await reload(daemon, conf)).applied).toContain('auth');
    expect((await register(daemon, 'b', svc.url, oldToken)).status).toBe(403);
    expect((await register(daemon, 'b', svc.url, newToken)).status).toBe(201);
    expect(daemon.logs()).not.toContain(newToken);
  });
});
