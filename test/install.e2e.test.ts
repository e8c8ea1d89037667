import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
// Not copied: the copy must build its own dist/, and node_modules is linked, not copied.
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', 'coverage', 'test-artifacts']);
// What the tarball may hold: the built CLI, the example config, the unit, and npm's always-included files.
const SHIPPED = /^(dist\/.+\.js|megaphone\.conf\.json|systemd\/megaphone\.service|package\.json|README\.md|LICENSE)$/;

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
  await sh(
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
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon!.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Starts `megaphone serve` from the installed bin on port 0 and resolves with its port. */
function serve(cwd: string): Promise<number> {
  const proc = (daemon = spawn(
    bin,
    ['serve', '--host', '127.0.0.1', '--port', '0', '--data-file', path.join(cwd, 'db.json')],
    { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  ));
  let out = '';
  return new Promise((resolve, reject) => {
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`megaphone serve exited with ${code}\n${out}`)));
  });
}

describe('npm pack, then npm install -g of the tarball', () => {
  it('packs the freshly built CLI, the example config and the systemd unit, and nothing else', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'dist/cli.js',
        'dist/daemon.js',
        'megaphone.conf.json',
        'systemd/megaphone.service',
        'package.json',
      ]),
    );
    expect(packed.filter((p) => !SHIPPED.test(p))).toEqual([]);
  });

  it('puts megaphone on PATH, printing the version from package.json', async () => {
    expect((await sh(bin, ['--version'], tmp)).stdout.trim()).toBe(VERSION);
  });

  it('from a checkout, `npx megaphone` still runs after `npm run build` (as `npm start` does) rewrote it', async () => {
    // The README's quickstart: `npm start` (which builds) in one terminal, `npx megaphone …` in another. npx
    // marks the bin executable once, when it first links the checkout; a rebuild writes a new dist/cli.js.
    expect((await sh('npx', ['--no-install', 'megaphone', '--version'], checkout)).stdout.trim()).toBe(VERSION);
    await sh('npm', ['run', 'build'], checkout);
    expect((await sh('npx', ['--no-install', 'megaphone', '--version'], checkout)).stdout.trim()).toBe(VERSION);
  });

  it('prints the help with its commands', async () => {
    const help = (await sh(bin, ['--help'], tmp)).stdout;
    expect(help).toMatch(/^Usage: megaphone/);
    for (const command of ['serve', 'status', 'checks', 'maintenance']) expect(help).toContain(`  ${command}`);
  });

  it('ships an example config that its own config check accepts', async () => {
    const config = path.join(
      path.dirname(path.dirname(bin)),
      'lib',
      'node_modules',
      'megaphone',
      'megaphone.conf.json',
    );
    expect(existsSync(config)).toBe(true);
    await sh(bin, ['config', 'check', '--quiet', '--config', config], tmp);
  });

  it('serves GET / from the installed daemon', async () => {
    const run = path.join(tmp, 'run');
    mkdirSync(run);
    const port = await serve(run);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ status: 'Unknown', message: 'No services are registered!' });
  });
});

describe('a checkout', () => {
  it('runs its own bin through npm exec (npx), offline, once prepare has built dist/', async () => {
    // A private cache keeps the link npx installs out of the user's ~/.npm/_npx; prepare already ran during pack.
    const cache = path.join(tmp, 'npm-cache');
    const out = await sh(
      'npm',
      ['exec', '--offline', '--ignore-scripts', '--cache', cache, '--', 'megaphone', '--version'],
      checkout,
    );
    expect(out.stdout.trim()).toBe(VERSION);
  });
});
