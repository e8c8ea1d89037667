import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from './helpers/app.js';
import { createTestCa, type TestCa } from './helpers/certs.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { megaphone, run } from './helpers/procs.js';
import { REPO } from './helpers/doc-runner.js';
import { startGrpcHealth, startTlsServer, type Running } from './helpers/tls-servers.js';
import { waitFor } from './helpers/wait.js';

// The built daemon and CLI (npm run build first; npm test does).
let ca: TestCa;
let other: TestCa;
let d: RunningDaemon | undefined;
const servers: Running[] = [];
beforeAll(() => {
  ca = createTestCa();
  other = createTestCa();
});
afterEach(async () => {
  await d?.stop();
  d = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => {
  ca.remove();
  other.remove();
});

const state = async (id: string) =>
  (await fetch(`${d!.url}/checks/${id}/state`)).json() as Promise<{ status: string; message: string; tls?: object }>;
const stateWhen = (id: string, status: string) =>
  waitFor(async () => {
    const s = await state(id);
    return s.status === status && s;
  }, 15_000);

describe('the daemon', () => {
  it('a config check with a client certificate, paths relative to the config; SIGHUP reads them again', async () => {
    const srv = await startTlsServer(ca.server('mtls.test', { names: ['127.0.0.1'] }), { clientCa: ca.certPem });
    servers.push(srv);
    const dir = tempDir('megaphone-e2e-');
    const client = ca.client('megaphone');
    copyFileSync(ca.cert, path.join(dir, 'ca.pem'));
    copyFileSync(client.cert, path.join(dir, 'client.pem'));
    copyFileSync(client.key, path.join(dir, 'client.key'));
    const config = {
      defaults: { interval: '300ms', timeout: '250ms' },
      checks: [
        {
          id: 'mtls',
          url: `tls://127.0.0.1:${srv.port}`,
          tls: { ca: './ca.pem', cert: 'client.pem', key: 'client.key' },
        },
      ],
    };
    d = await spawnDaemon(config, { dir });
    expect((await stateWhen('mtls', 'OK')).tls).toEqual({
      ca: path.join(dir, 'ca.pem'),
      cert: path.join(dir, 'client.pem'),
      key: path.join(dir, 'client.key'),
      insecure: false,
    });
    // The CA file now holds another CA: the same config, reloaded, no longer trusts the server.
    copyFileSync(other.cert, path.join(dir, 'ca.pem'));
    d.proc.kill('SIGHUP');
    expect((await stateWhen('mtls', 'Critical')).message).toMatch(/unknown CA \(set tls\.ca\)/);
  });

  it('`megaphone checks add` takes the TLS and gRPC flags, with the others (latency)', async () => {
    const g = await startGrpcHealth({ db: 'SERVING' }, ca.server('grpc.test', { names: ['grpc.test'] }));
    servers.push(g);
    const dir = tempDir('megaphone-e2e-');
    writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
    d = await spawnDaemon(
      { defaults: { interval: '300ms', timeout: '250ms' }, tls: { cas: { internal: 'ca.pem' } } },
      { dir },
    );
    const add = await megaphone(
      ['checks', 'add', 'db', `grpc://127.0.0.1:${g.port}`, '--grpc-service', 'db', '--tls-ca', 'internal'].concat([
        '--tls-servername',
        'grpc.test',
        '--tls-expiry-warning',
        '14d',
        '--latency-critical',
        '200ms',
        '--url',
        d.url,
      ]),
    );
    expect(add, add.stderr).toMatchObject({ code: 0, stdout: 'added db\n' });
    const s = await stateWhen('db', 'OK');
    expect(s).toMatchObject({
      message: 'SERVING for service "db"',
      tls: { ca: 'internal', servername: 'grpc.test', insecure: false, expiry: { warning: '14d' } },
      latency: { critical: '200ms' },
    });
    const listed = (await (await fetch(`${d.url}/checks`)).json()) as Record<string, unknown>;
    expect(listed.db).toEqual({
      addr: `grpc://127.0.0.1:${g.port}`,
      service: 'db',
    });
    const lax = await megaphone([
      'checks',
      'add',
      'lax',
      `tls://127.0.0.1:${g.port}`,
      '--tls-insecure',
      '--url',
      d.url,
    ]);
    expect(lax.code).toBe(0);
    expect((await stateWhen('lax', 'OK')).tls).toEqual({ insecure: true });
    const path_ = await megaphone([
      'checks',
      'add',
      'p',
      `tls://127.0.0.1:${g.port}`,
      '--tls-ca',
      '/etc/ca.pem',
      '--url',
      d.url,
    ]);
    expect(path_.code).toBe(1);
    expect(path_.stderr).toMatch(/`tls\.ca` names a file.*E_TLS_PATH_OVER_HTTP/);
  });

  it('loads grpc-js only once a gRPC check polls (start-up and memory pay nothing for it otherwise)', async () => {
    const g = await startGrpcHealth({ '': 'SERVING' });
    servers.push(g);
    const dist = (f: string) => JSON.stringify(pathToFileURL(path.join(REPO, 'dist', f)).href);
    // A daemon in a process of its own, asked through its API, reporting whether the grpc-js it bundles is loaded.
    const script = `
      import { createRequire } from 'node:module';
      import { pino } from 'pino';
      const { startDaemon } = await import(${dist('daemon.js')});
      const { parseConfig } = await import(${dist('config/load.js')});
      const cache = () => Object.keys(createRequire(import.meta.url).cache);
      const loaded = () => cache().some((k) => k.endsWith('vendor/grpc-js.cjs'));
      const config = parseConfig({ listen: { host: '127.0.0.1', port: 0 }, defaults: { interval: '200ms' } });
      config.dataFile = process.env.DATA_FILE;
      const d = await startDaemon({ config, logger: pino({ level: 'silent' }) });
      const base = \`http://127.0.0.1:\${d.port}/checks\`;
      const json = { 'content-type': 'application/json' };
      const post = (body) => fetch(base, { method: 'POST', body: JSON.stringify(body), headers: json });
      await post({ id: 'web', url: 'https://127.0.0.1:1/', tls: true });
      await new Promise((r) => setTimeout(r, 500));
      const before = loaded();
      await post({ id: 'g', url: 'grpc://127.0.0.1:${g.port}' });
      const status = async () => (await (await fetch(\`\${base}/g/state\`)).json()).status;
      for (let i = 0; i < 50 && (await status()) !== 'OK'; i++) await new Promise((r) => setTimeout(r, 100));
      console.log(JSON.stringify({ before, after: loaded() }));
      await d.close();
    `;
    // Evaluated as a module in the checkout (the test's working folder): `pino` resolves from its node_modules.
    const r = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: { DATA_FILE: path.join(tempDir(), 'db.json') },
    });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ before: false, after: true });
  });
});
