import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, spawnDaemon } from './helpers/daemon.js';
import { tempDir } from './helpers/app.js';
import { megaphone, run, type Ran } from './helpers/procs.js';

// Runs the BUILT CLI (`megaphone serve`): `npm test` builds first (or run `npm run build`).

/** `megaphone serve` on `dataFile`; a start that is not refused is killed after 20 s (and fails the test). */
function serve(dataFile: string, wrap: string[] = []): Promise<Ran> {
  const conf = path.join(tempDir('megaphone-conf-'), 'c.json');
  writeFileSync(conf, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, dataFile }));
  const argv = [process.execPath, CLI, 'serve', '--config', conf];
  const [file, ...args] = [...wrap, ...argv] as [string, ...string[]];
  return run(file, args, { timeoutMs: 20_000 });
}

/** Every file in a folder and its bytes: what a refused start must leave exactly as it was. */
function folder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) out[name] = readFileSync(path.join(dir, name)).toString('base64');
  return out;
}

/** Exit code 1 and one line on stderr that matches every pattern. */
function expectRefused(r: Ran, ...patterns: (string | RegExp)[]): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(r.code, r.stderr || r.stdout.slice(-500)).toBe(1);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^megaphone: /);
  for (const p of patterns) expect(lines[0]).toMatch(typeof p === 'string' ? new RegExp(escape(p)) : p);
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const journalLine = (seq: number, op: object) => `${JSON.stringify({ seq, op })}\n`;

describe('a data file that is JSON but not a registry stops `megaphone serve`, leaving every file as it was', () => {
  it.each([
    ['null', 'null', /holds JSON null/],
    ['a number', '42', /holds 42/],
    ['a string', '"checks"', /holds "checks"/],
    ['true', 'true', /holds true/],
    ['an array', '[]', /holds \[\]/],
    ['an empty object', '{}', /no "version" and "checks"/],
    ['checks as an array', '{"version":1,"checks":[]}', /no "version" and "checks"/],
    ['an unknown version', '{"version": 99, "checks": {}}', /version 99; this megaphone reads version 1/],
    ['a version that is not a number', '{"version":"1","checks":{}}', /no "version" and "checks"/],
  ])('%s', async (_what, content, why) => {
    const dir = tempDir('megaphone-refuse-');
    const dataFile = path.join(dir, 'db.json');
    writeFileSync(dataFile, content);
    const before = folder(dir);
    expectRefused(await serve(dataFile), dataFile, why, /refusing to start/);
    expect(folder(dir)).toEqual(before);
  });

  it('a corrupt journal line in the middle: names the journal and the line', async () => {
    const dir = tempDir('megaphone-refuse-');
    const dataFile = path.join(dir, 'db.json');
    writeFileSync(
      path.join(dir, 'db.journal.jsonl'),
      journalLine(1, { op: 'put', reg: { id: 'a', ttl: 60_000 } }) +
        '{"seq":2,"op":{"op":"put","reg":\n' +
        journalLine(3, { op: 'delete', id: 'a' }),
    );
    const before = folder(dir);
    expectRefused(await serve(dataFile), path.join(dir, 'db.journal.jsonl'), /line 2 is corrupt/);
    expect(folder(dir)).toEqual(before);
  });
});

describe('a stored check that is no longer valid stops `megaphone serve` with its id and the reason', () => {
  it.each([
    ['an interval of 5 ms', { id: 'fast', url: 'http://127.0.0.1:1/', interval: 5 }, /`interval` must be between/],
    ['a url that is not http', { id: 'ftp', url: 'ftp://example.com/' }, /`url` must be an http\(s\):\/\//],
    ['an id that is not one', { id: 'a b', ttl: 60_000 }, /`id` must be 1-128 characters/],
  ])('%s', async (_what, reg, why) => {
    const dir = tempDir('megaphone-refuse-');
    const dataFile = path.join(dir, 'db.json');
    const content = JSON.stringify({ version: 1, checks: { [reg.id]: reg } });
    writeFileSync(dataFile, content);
    expectRefused(await serve(dataFile), dataFile, `invalid check ${JSON.stringify(reg.id)}`, why);
    expect(readFileSync(dataFile, 'utf8')).toBe(content);
  });
});

// Root writes through file permissions: these use what stops root too (a read-only mount, the immutable flag).
const probeDir = tempDir('megaphone-caps-');
const canMount =
  (await run('unshare', ['-m', 'sh', '-c', `mount -t tmpfs -o ro tmpfs ${probeDir}`], { timeoutMs: 5000 })).code === 0;
const canChattr =
  (await run('chattr', ['+i', probeDir])).code === 0 && (await run('chattr', ['-i', probeDir])).code === 0;
const immutable: string[] = [];
afterAll(async () => {
  for (const p of immutable) await run('chattr', ['-i', p]);
});

describe('a data file that cannot be written stops `megaphone serve` with the path and the cause', () => {
  it('its folder does not exist', async () => {
    const dataFile = path.join(tempDir('megaphone-refuse-'), 'missing', 'db.json');
    expectRefused(await serve(dataFile), `${dataFile} cannot be written: its folder`, /does not exist \(ENOENT\)/);
  });

  it('its folder is a regular file', async () => {
    const dir = tempDir('megaphone-refuse-');
    writeFileSync(path.join(dir, 'file'), 'x');
    const dataFile = path.join(dir, 'file', 'db.json');
    expectRefused(await serve(dataFile), dataFile, /is not a folder \(ENOTDIR\)/);
  });

  it.skipIf(!canMount)('its folder is a read-only bind mount (the data file in it is readable)', async () => {
    const dir = tempDir('megaphone-refuse-');
    const dataFile = path.join(dir, 'db.json');
    writeFileSync(dataFile, JSON.stringify({ version: 1, checks: {} }));
    // A mount namespace of its own: the read-only bind exists for the daemon only and goes with it.
    const wrap = [
      'unshare',
      '-m',
      'sh',
      '-c',
      `mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"`,
      dir,
    ];
    expectRefused(await serve(dataFile, wrap), `its folder ${dir}`, /read-only file system \(EROFS\)/);
  });

  it.skipIf(!canChattr)('its folder is immutable (chattr +i)', async () => {
    const dir = path.join(tempDir('megaphone-refuse-'), 'data');
    mkdirSync(dir);
    const dataFile = path.join(dir, 'db.json');
    writeFileSync(dataFile, JSON.stringify({ version: 1, checks: {} }));
    expect((await run('chattr', ['+i', dir])).code).toBe(0);
    immutable.push(dir);
    expectRefused(await serve(dataFile), `its folder ${dir}`, /is not writable \(EPERM\)/);
  });

  it.skipIf(!canChattr)('its journal takes no appends (chattr +i), though its folder is writable', async () => {
    const dir = tempDir('megaphone-refuse-');
    const dataFile = path.join(dir, 'db.json');
    const journal = path.join(dir, 'db.journal.jsonl');
    writeFileSync(journal, journalLine(1, { op: 'put', reg: { id: 'a', ttl: 60_000 } }));
    expect((await run('chattr', ['+i', journal])).code).toBe(0);
    immutable.push(journal);
    const before = folder(dir);
    expectRefused(await serve(dataFile), `its log ${journal}`, /is not writable \(EPERM\)/);
    expect(folder(dir)).toEqual(before);
  });
});

describe('a data file another megaphone holds stops `megaphone serve`, naming the file and the PID', () => {
  const register = (url: string, id: string) =>
    fetch(`${url}/checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, ttl: '1h' }),
    });

  it('a second daemon on the same data file exits 1; the first keeps serving and acknowledging', async () => {
    const dir = tempDir('megaphone-refuse-');
    const dataFile = path.join(dir, 'db.json');
    const first = await spawnDaemon({ dataFile });
    try {
      expect((await register(first.url, 'before')).status).toBe(201);
      expectRefused(await serve(dataFile), `data file ${dataFile} is in use by megaphone PID ${first.proc.pid} `);
      expect((await register(first.url, 'after')).status).toBe(201);
      expect(Object.keys((await (await fetch(`${first.url}/checks?verbose=1`)).json()) as object).sort()).toEqual([
        'after',
        'before',
      ]);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    // A clean exit gives the lock up.
    expect(existsSync(path.join(dir, 'db.lock'))).toBe(false);
  });

  it('kill -9 leaves its lock behind, and the next start takes it over at once', async () => {
    const dir = tempDir('megaphone-refuse-');
    const dataFile = path.join(dir, 'db.json');
    const lock = path.join(dir, 'db.lock');
    const killed = await spawnDaemon({ dataFile });
    expect((await register(killed.url, 'kept')).status).toBe(201);
    await killed.kill9();
    expect(lstatSync(lock).isSymbolicLink()).toBe(true);
    expect(readlinkSync(lock)).toMatch(`megaphone:${killed.proc.pid}:`);
    const next = await spawnDaemon({ dataFile });
    try {
      expect(readlinkSync(lock)).toMatch(`megaphone:${next.proc.pid}:`);
      expect(Object.keys((await (await fetch(`${next.url}/checks?verbose=1`)).json()) as object)).toEqual(['kept']);
    } finally {
      await next.stop();
    }
  });

  it('`megaphone config check` takes no lock: it runs beside a daemon, and alone leaves none', async () => {
    const dir = tempDir('megaphone-refuse-');
    const daemon = await spawnDaemon({ dataFile: path.join(dir, 'db.json') });
    try {
      expect((await megaphone(['config', 'check', '--quiet', '--config', daemon.configFile])).code).toBe(0);
    } finally {
      await daemon.stop();
    }
    expect((await megaphone(['config', 'check', '--quiet', '--config', daemon.configFile])).code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });
});
