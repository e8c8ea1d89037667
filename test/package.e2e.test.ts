import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers/app.js';
import { debianRoot, inRoot } from './helpers/debian-root.js';
import { NODE_FLAGS } from './helpers/daemon.js';
import { freePort } from './helpers/procs.js';

// npm run package, then the .deb on a clean Debian 12 (debootstrap, no Node), as CI does (issue 23).
const exec = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const isRoot = process.getuid?.() === 0;
const LONG = 900_000;

let work: string;
let deb: string;
let root: string;
let depends: string;

/** Runs `argv` in the Debian root (as `user`, uid:gid, if given); resolves with its output, rejects on failure. */
async function inDebian(argv: string[], user?: string): Promise<{ stdout: string; stderr: string }> {
  const [file, ...args] = inRoot(root, argv, user);
  return exec(file!, args, { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 });
}

const rootPath = (p: string) => path.join(root, p);

/** uid:gid of the megaphone user in the root's /etc/passwd. */
function megaphoneUser(): string {
  const line = readFileSync(rootPath('etc/passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('megaphone:'));
  const [, , uid, gid] = line!.split(':');
  return `${uid}:${gid}`;
}

/** The installed unit's command lines (ExecStartPre, ExecStart), as argv. */
function unitCommand(key: string): string[] {
  const unit = readFileSync(rootPath('lib/systemd/system/megaphone.service'), 'utf8');
  return new RegExp(`^${key}=(.*)$`, 'm').exec(unit)![1]!.trim().split(/\s+/);
}

/** Starts the installed unit's ExecStart as the megaphone user on a free port; resolves with its log lines. */
async function serveAsTheUnit(): Promise<{ proc: ChildProcess; port: number; lines: () => Record<string, unknown>[] }> {
  const port = await freePort();
  const env = [`MEGAPHONE_PORT=${port}`, 'MEGAPHONE_HOST=127.0.0.1'];
  const [file, ...args] = inRoot(root, [...env, ...unitCommand('ExecStart')], megaphoneUser());
  const proc = spawn(file!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in time:\n${out}`)), 30_000);
    proc.stdout!.on('data', () => {
      if (lines().some((l) => l.msg === 'listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => reject(new Error(`megaphone serve exited with ${code}:\n${out}`)));
  });
  return { proc, port, lines };
}

async function stop(proc: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  proc.kill('SIGTERM');
  return exited;
}

const curl = async (url: string, ...args: string[]) => (await exec('curl', ['-s', ...args, url])).stdout;

beforeAll(async () => {
  if (!isRoot) return;
  work = tempDir('megaphone-package-');
  deb = (
    await exec(process.execPath, [path.join(ROOT, 'packaging/deb/build.mjs'), work], { timeout: LONG })
  ).stdout.trim();
  depends = (await exec('dpkg-deb', ['-f', deb, 'Depends'])).stdout.trim();
  // A Debian 12 host: minbase, the package's own dependencies (what apt would install) and systemd.
  const names = depends.split(/,\s*/).map((d) => d.split(/\s/)[0]!);
  root = path.join(work, 'root');
  await debianRoot(root, 'bookworm', [...new Set([...names, 'systemd'])]);
  copyFileSync(deb, rootPath('tmp/megaphone.deb'));
}, LONG);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!isRoot)('the Debian package (npm run package), on a clean Debian 12', () => {
  it('is megaphone_<version>_<arch>.deb: launcher, private Node, licence, app, unit, drop-in, conffile', async () => {
    expect(path.basename(deb)).toMatch(new RegExp(`^megaphone_${VERSION.replaceAll('.', '\\.')}_[a-z0-9]+\\.deb$`));
    const files = (await exec('dpkg-deb', ['-c', deb], { maxBuffer: 16 * 1024 * 1024 })).stdout;
    for (const f of [
      './usr/bin/megaphone',
      './usr/lib/megaphone/bin/node',
      './usr/lib/megaphone/dist/cli.js',
      './usr/lib/megaphone/dist/discovery/reader-worker.js',
      './usr/lib/megaphone/dist/vendor/grpc-js.cjs',
      './usr/lib/megaphone/node_modules/koa/package.json',
      './usr/lib/megaphone/package.json',
      './lib/systemd/system/megaphone.service',
      './usr/share/megaphone/discovery.conf',
      './etc/megaphone/megaphone.conf.json',
      './usr/share/doc/megaphone/copyright',
    ])
      expect(files).toContain(` ${f}\n`);
    expect(files).not.toMatch(/\.map\n|node_modules\/(typescript|vitest|eslint|protobufjs|@grpc)\//);
    expect((await exec('dpkg-deb', ['-I', deb, 'conffiles'])).stdout).toBe('/etc/megaphone/megaphone.conf.json\n');
    expect(depends).toMatch(/^adduser, init-system-helpers .*, procps, libc6 /);
  });

  it('the root has no Node; dpkg -i installs it, and megaphone --version runs on the bundled one', async () => {
    expect(existsSync(rootPath('usr/bin/node'))).toBe(false);
    await expect(inDebian(['sh', '-c', 'command -v node'])).rejects.toThrow();
    await inDebian(['dpkg', '-i', '/tmp/megaphone.deb']);
    expect((await inDebian(['megaphone', '--version'])).stdout.trim()).toBe(VERSION);
    const launcher = readFileSync(rootPath('usr/bin/megaphone'), 'utf8');
    expect(launcher).toContain(
      `exec /usr/lib/megaphone/bin/node ${NODE_FLAGS.join(' ')} /usr/lib/megaphone/dist/cli.js "$@"`,
    );
  });

  it('made the megaphone system user, its state folder, the config readable by it only; enabled the unit', async () => {
    const [uid, gid] = megaphoneUser().split(':').map(Number);
    expect(uid).toBeLessThan(1000);
    const state = statSync(rootPath('var/lib/megaphone'));
    expect([state.uid, state.gid, state.mode & 0o777]).toEqual([uid, gid, 0o750]);
    const conf = statSync(rootPath('etc/megaphone/megaphone.conf.json'));
    expect([conf.uid, conf.gid, conf.mode & 0o777]).toEqual([0, gid, 0o640]);
    // An absolute link, true inside the root.
    const wants = rootPath('etc/systemd/system/multi-user.target.wants/megaphone.service');
    expect(lstatSync(wants).isSymbolicLink() && readlinkSync(wants)).toBe('/lib/systemd/system/megaphone.service');
  });

  it('the installed unit passes systemd-analyze verify there', async () => {
    const { stderr } = await inDebian(['systemd-analyze', 'verify', '/lib/systemd/system/megaphone.service']);
    expect(stderr).toBe('');
  });

  it("runs the unit's ExecStartPre and ExecStart as the megaphone user: GET / answers, on one runtime", async () => {
    await inDebian(unitCommand('ExecStartPre'), megaphoneUser());
    const daemon = await serveAsTheUnit();
    try {
      expect(daemon.lines().find((l) => l.msg === 'starting')).toMatchObject({ nodeFlags: NODE_FLAGS });
      expect(JSON.parse(await curl(`http://127.0.0.1:${daemon.port}/`))).toMatchObject({ status: 'Unknown' });
      const body = JSON.stringify({ id: 'backup', ttl: '1h' });
      await curl(
        `http://127.0.0.1:${daemon.port}/checks`,
        '-X',
        'POST',
        '-H',
        'content-type: application/json',
        '-d',
        body,
      );
      expect(await curl(`http://127.0.0.1:${daemon.port}/checks`)).toContain('backup');
    } finally {
      expect(await stop(daemon.proc)).toBe(0);
    }
    expect(existsSync(rootPath('var/lib/megaphone/megaphone.db.json'))).toBe(true);
  });

  it('dpkg -r keeps the data and the config (a reinstall finds them); dpkg -P removes both', async () => {
    await inDebian(['dpkg', '-r', 'megaphone']);
    expect(existsSync(rootPath('usr/bin/megaphone'))).toBe(false);
    expect(existsSync(rootPath('usr/lib/megaphone'))).toBe(false);
    expect(existsSync(rootPath('var/lib/megaphone/megaphone.db.json'))).toBe(true);
    expect(existsSync(rootPath('etc/megaphone/megaphone.conf.json'))).toBe(true);

    await inDebian(['dpkg', '-i', '/tmp/megaphone.deb']);
    const daemon = await serveAsTheUnit();
    await stop(daemon.proc);
    expect(daemon.lines().find((l) => l.msg === 'registry loaded')).toMatchObject({ checks: 1 });

    await inDebian(['dpkg', '-P', 'megaphone']);
    expect(existsSync(rootPath('var/lib/megaphone'))).toBe(false);
    expect(existsSync(rootPath('etc/megaphone'))).toBe(false);
    expect((await inDebian(['sh', '-c', 'dpkg-statoverride --list || true'])).stdout).not.toContain('megaphone');
  });
});
