import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { tempDir } from './helpers/app.js';
import { waitFor } from './helpers/wait.js';

// Spawns the BUILT daemon: `npm test` builds first (or run `npm run build`).
let daemon: RunningDaemon | undefined;
let server: net.Server | undefined;

afterEach(async () => {
  await daemon?.kill9();
  daemon = undefined;
  server?.close();
  server = undefined;
});

const json = async (url: string, init?: RequestInit) => {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const put = (url: string, body: unknown) =>
  json(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the daemon with checks in its config file', () => {
  it(
    'runs command, tcp and push checks from the config, refuses to delete them, and keeps push ' +
      'reports across kill -9',
    async () => {
      const dir = tempDir('megaphone-e2e-checks-');
      const plugin = path.join(dir, 'check_load');
      writeFileSync(plugin, '#!/bin/sh\necho "LOAD WARNING - load average: 4.1 | load1=4.1;4;8;0"\nexit 1\n');
      chmodSync(plugin, 0o755);
      server = net.createServer((s) => s.destroy());
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      const tcp = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const config = {
        defaults: { interval: '1s', timeout: '500ms' },
        checks: [
          { id: 'load', command: [plugin] },
          { id: 'db', url: tcp },
          { id: 'nightly', ttl: '1h' },
        ],
      };
      daemon = await spawnDaemon(config, { dir });
      const d = daemon;
      expect((await json(`${d.url}/checks`)).body).toEqual({ load: null, db: tcp, nightly: null });
      const summary = await waitFor(async () => {
        const b = (await json(`${d.url}/`)).body;
        if (b.message !== 'load:Warning:LOAD WARNING - load average: 4.1; nightly:Unknown:waiting for the first report')
          throw new Error(String(b.message));
        return b;
      }, 15_000);
      expect(summary.status).toBe('Warning');

      const verbose = (await json(`${d.url}/checks?verbose=1`)).body as Record<string, Record<string, unknown>>;
      expect(verbose.load).toMatchObject({
        kind: 'command',
        source: 'config',
        status: 'Warning',
        perfdata: [{ label: 'load1', value: 4.1, warn: '4', crit: '8', min: 0 }],
      });
      expect(verbose.db).toMatchObject({ kind: 'tcp', source: 'config', status: 'OK' });

      expect((await json(`${d.url}/checks/load`, { method: 'DELETE' })).status).toBe(409);
      expect((await put(`${d.url}/checks/nightly/status`, { status: 'fail', message: 'backup failed' })).status).toBe(
        200,
      );
      expect((await put(`${d.url}/checks/db/status`, { status: 'OK' })).status).toBe(409);

      await d.kill9();
      daemon = await spawnDaemon(config, { dir });
      const state = (await json(`${daemon.url}/checks/nightly/state`)).body;
      expect(state).toMatchObject({ status: 'Critical', message: 'backup failed', source: 'config' });
    },
  );

  it('refuses to start when a config check is invalid, naming it', async () => {
    await expect(
      spawnDaemon({ checks: [{ id: 'x', url: { addr: 'http://127.0.0.1:1/', match: '([' } }] }),
    ).rejects.toThrow(/checks\[0\]\.url\.match/);
  });
});
