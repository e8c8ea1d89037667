import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGrpcHealth } from './helpers/tls-servers.js';
import { waitFor } from './helpers/wait.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
// Not copied: the copy must build its own dist/, and node_modules is linked, not copied.
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', 'coverage', 'test-artifacts']);
// What the tarball may hold: the built CLI (with grpc-js bundled), the example config, the unit and its discovery
// drop-in, and npm's always-included files. Never the checkout's working megaphone.conf.json (a tarball once carried a
// webhook password).
const SHIPPED = new RegExp(
  String.raw`^(dist/.+\.js|dist/vendor/grpc-js\.cjs|examples/megaphone\.conf\.json|` +
    String.raw`systemd/(megaphone\.service|discovery\.conf)` +
    String.raw`|package\.json|README\.md|LICENSE)$`,
);
const NODE_FLAGS = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { megaphone: { nodeFlags: string[] } }
).megaphone.nodeFlags;

// An outer `npm test` exports npm_* variables (prefix, local prefix, lifecycle) that would steer the inner npm.
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

function sh(file: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd, env: childEnv(), timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${file} ${args.join(' ')} failed in ${cwd}: ${err.message}\n${stdout}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

let tmp: string;
let checkout: string;
let bin: string;
let packed: string[];
let installed: { stdout: string; stderr: string };
let daemon: ChildProcess | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'megaphone-install-'));
  // Packing a copy leaves this checkout's dist/ alone while other test files run the built daemon.
  checkout = path.join(tmp, 'checkout');
  cpSync(ROOT, checkout, { recursive: true, filter: (src) => !NOT_COPIED.has(path.relative(ROOT, src)) });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));

  const pack = await sh('npm', ['pack', '--json', '--pack-destination', tmp], checkout);
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as {
    filename: string;
    files: { path: string }[];
  }[];
  packed = info!.files.map((f) => f.path).sort();

  const prefix = path.join(tmp, 'prefix');
  installed = await sh(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--no-update-notifier',
      path.join(tmp, info!.filename),
    ],
    tmp,
  );
  bin = path.join(prefix, 'bin', 'megaphone');
}, 240_000);

afterAll(async () => {
  await stopDaemon();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const SERVE_ARGS = (cwd: string) => ['--host', '127.0.0.1', '--port', '0', '--data-file', path.join(cwd, 'db.json')];

/** Starts a daemon (`file args`) and resolves with its port and the runtime flags its `starting` line names. */
function serve(file: string, args: string[], cwd: string): Promise<{ port: number; nodeFlags: string[] }> {
  const proc = (daemon = spawn(file, args, {
    cwd,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  }));
  let out = '';
  const line = (msg: string) => out.split('\n').find((l) => l.includes(`"msg":"${msg}"`));
  return new Promise((resolve, reject) => {
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const [starting, listening] = [line('starting'), line('listening')];
      if (starting && listening) {
        const { nodeFlags } = JSON.parse(starting) as { nodeFlags: string[] };
        resolve({ port: (JSON.parse(listening) as { port: number }).port, nodeFlags });
      }
    });
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`${file} ${args.join(' ')} exited with ${code}\n${out}`)));
  });
}

async function stopDaemon(): Promise<void> {
  if (!daemon || daemon.exitCode !== null || daemon.signalCode !== null) return;
  const exited = new Promise((r) => daemon!.once('exit', r));
  // npm start runs the daemon under a shell: signal the whole group.
  process.kill(-daemon.pid!, 'SIGTERM');
  await exited;
}

describe('npm pack, then npm install -g of the tarball', () => {
  it('packs the freshly built CLI, the example config and the systemd unit, and nothing else', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'dist/cli.js',
        'dist/daemon.js',
        'dist/vendor/grpc-js.cjs',
        'examples/megaphone.conf.json',
        'systemd/megaphone.service',
        'systemd/discovery.conf',
        'package.json',
      ]),
    );
    expect(packed.filter((p) => !SHIPPED.test(p))).toEqual([]);
  });

  it('installs without running a lifecycle script, so npm warns about none', () => {
    expect(installed.stderr).not.toMatch(/install-scripts|prepare|lifecycle/);
    expect(installed.stderr.split('\n').filter((l) => l.startsWith('npm warn'))).toEqual([]);
  });

  it('puts megaphone on PATH, printing the version from package.json', async () => {
    expect((await sh(bin, ['--version'], tmp)).stdout.trim()).toBe(VERSION);
  });

  // Two npx runs and a build: minutes on a loaded machine.
  it('from a checkout, `npx megaphone` still runs after `npm run build` (as `npm start` does) rewrote it', async () => {
    // The README's quickstart: `npm start` (which builds) in one terminal, `npx megaphone …` in another. npx
    // marks the bin executable once, when it first links the checkout; a rebuild writes a new dist/cli.js.
    expect((await sh('npx', ['--no-install', 'megaphone', '--version'], checkout)).stdout.trim()).toBe(VERSION);
    await sh('npm', ['run', 'build'], checkout);
    expect((await sh('npx', ['--no-install', 'megaphone', '--version'], checkout)).stdout.trim()).toBe(VERSION);
  }, 180_000);

  it('prints the help with its commands', async () => {
    const help = (await sh(bin, ['--help'], tmp)).stdout;
    expect(help).toMatch(/^Usage: megaphone/);
    for (const command of ['serve', 'status', 'checks', 'maintenance']) expect(help).toContain(`  ${command}`);
  });

  it('ships an example config that its own config check accepts', async () => {
    const config = path.join(installedPackage(), 'examples', 'megaphone.conf.json');
    expect(existsSync(config)).toBe(true);
    await sh(bin, ['config', 'check', '--quiet', '--config', config], tmp);
  });

  it('serves GET / from the installed daemon, on the runtime flags of package.json', async () => {
    const run = path.join(tmp, 'run');
    mkdirSync(run);
    const { port, nodeFlags } = await serve(bin, ['serve', ...SERVE_ARGS(run)], run);
    expect(nodeFlags).toEqual(NODE_FLAGS);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ status: 'Unknown', message: 'No services are registered!' });
    await stopDaemon();
  });

  it('polls a grpc:// check with the grpc-js it bundles (no dependency with an install script installed)', async () => {
    expect(existsSync(path.join(installedPackage(), 'node_modules', '@grpc'))).toBe(false);
    expect(existsSync(path.join(installedPackage(), 'node_modules', 'protobufjs'))).toBe(false);
    const health = await startGrpcHealth({ '': 'SERVING' });
    const run = path.join(tmp, 'run-grpc');
    mkdirSync(run);
    try {
      const { port } = await serve(bin, ['serve', ...SERVE_ARGS(run)], run);
      const base = `http://127.0.0.1:${port}/checks`;
      const check = { id: 'rpc', url: `grpc://127.0.0.1:${health.port}`, interval: '300ms', timeout: '240ms' };
      const posted = await fetch(base, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(check),
      });
      expect(posted.status).toBe(201);
      const state = await waitFor(async () => {
        const s = (await (await fetch(`${base}/rpc/state`)).json()) as { status: string; message: string };
        return s.status === 'OK' && s;
      }, 15_000);
      expect(state).toMatchObject({ status: 'OK', message: 'SERVING' });
    } finally {
      await stopDaemon();
      await health.close();
    }
  });

  it("ships the unit; rewritten to npm's bin (docs/operations.md), it passes systemd-analyze verify", async () => {
    const unit = path.join(installedPackage(), 'systemd', 'megaphone.service');
    const text = readFileSync(unit, 'utf8');
    expect(text).toContain('ExecStart=/usr/bin/megaphone serve');
    const rewritten = path.join(tmp, 'megaphone.service');
    await sh('bash', ['-c', `sed "s|/usr/bin/megaphone|${bin}|g" '${unit}' > '${rewritten}'`], tmp);
    expect((await sh('systemd-analyze', ['verify', rewritten], tmp)).stderr).toBe('');
  });
});

/** Where npm install -g put the package (PREFIX/lib/node_modules/megaphone). */
function installedPackage(): string {
  return path.join(path.dirname(path.dirname(bin)), 'lib', 'node_modules', 'megaphone');
}

describe('a checkout', () => {
  it('npm start builds, then serves on the same runtime flags', async () => {
    const run = path.join(tmp, 'run-start');
    mkdirSync(run);
    // npm start -- ARGS appends ARGS to the script's last command, `dist/cli.js serve`.
    const { port, nodeFlags } = await serve('npm', ['start', '--', ...SERVE_ARGS(run)], checkout);
    expect(nodeFlags).toEqual(NODE_FLAGS);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    await stopDaemon();
  }, 120_000);

  it('runs its own bin through npm exec (npx), offline, once prepack has built dist/', async () => {
    // A private cache keeps the link npx installs out of the user's ~/.npm/_npx; prepack already ran during pack.
    const cache = path.join(tmp, 'npm-cache');
    const out = await sh(
      'npm',
      ['exec', '--offline', '--ignore-scripts', '--cache', cache, '--', 'megaphone', '--version'],
      checkout,
    );
    expect(out.stdout.trim()).toBe(VERSION);
  });
});
