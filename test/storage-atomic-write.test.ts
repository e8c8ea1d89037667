import { afterEach, describe, expect, it } from 'vitest';
import { lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { atomicWrite, tempNameFor } from '../src/storage/atomic-write.js';
import { fileStorage, logFileFor } from '../src/storage/file.js';
import { tempDir } from './helpers/app.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { waitFor } from './helpers/wait.js';

const tempFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/** A file outside the data folder that an attacker would like megaphone to overwrite. */
function plantVictim(): string {
  const victim = path.join(tempDir('megaphone-victim-'), 'victim');
  writeFileSync(victim, 'precious');
  return victim;
}

/** Symlinks to `victim` at every temp name a writer might predictably use for `file`. */
function plantLinks(file: string, victim: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const names = [
    `${base}.tmp`,
    `.${base}.tmp`,
    `${base}~`,
    `${base}.new`,
    `${base}.swp`,
    `.${base}.swp`,
    `${base}.tmp.0`,
    `.${base}.tmp-0`,
  ];
  for (const n of names) symlinkSync(victim, path.join(dir, n));
  return names.map((n) => path.join(dir, n));
}

describe('the one atomic write', () => {
  it('replaces the file whole, owner-only, leaving no temp file', async () => {
    const dir = tempDir('megaphone-atomic-');
    const file = path.join(dir, 'megaphone.db.json');
    writeFileSync(file, 'old', { mode: 0o644 });
    await atomicWrite(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['megaphone.db.json']);
  });

  it('picks a fresh unguessable temp name beside the file each time', () => {
    const a = tempNameFor('/var/lib/megaphone/megaphone.db.json');
    const b = tempNameFor('/var/lib/megaphone/megaphone.db.json');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\/var\/lib\/megaphone\/\.megaphone\.db\.json\.[0-9a-f]{16}\.tmp$/);
  });

  it('never follows symlinks planted at likely temp names: the victim is unchanged after many writes', async () => {
    const dir = tempDir('megaphone-atomic-');
    const file = path.join(dir, 'megaphone.db.json');
    const victim = plantVictim();
    const links = plantLinks(file, victim);
    for (let i = 0; i < 20; i++) await atomicWrite(file, `{"n":${i}}`);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(readFileSync(file, 'utf8')).toBe('{"n":19}');
    // The planted links are left alone too: not followed, not replaced.
    for (const l of links) expect(lstatSync(l).isSymbolicLink()).toBe(true);
  });

  it(
    'refuses when something is already at its exact temp name (a symlink, even dangling), ' + 'touching neither',
    async () => {
      const dir = tempDir('megaphone-atomic-');
      const file = path.join(dir, 'megaphone.db.json');
      writeFileSync(file, 'old');
      const victim = plantVictim();
      const planted = path.join(dir, 'planted.tmp');
      symlinkSync(victim, planted);
      await expect(atomicWrite(file, 'new', { tempName: () => planted })).rejects.toMatchObject({ code: 'EEXIST' });
      const dangling = path.join(dir, 'dangling.tmp');
      symlinkSync(path.join(dir, 'does-not-exist-yet'), dangling);
      await expect(atomicWrite(file, 'new', { tempName: () => dangling })).rejects.toMatchObject({ code: 'EEXIST' });
      expect(readFileSync(victim, 'utf8')).toBe('precious');
      expect(readFileSync(file, 'utf8')).toBe('old');
      expect(readdirSync(dir)).not.toContain('does-not-exist-yet');
      expect(lstatSync(planted).isSymbolicLink()).toBe(true);
    },
  );

  it('removes its temp file when the write fails (here the rename, over a folder)', async () => {
    const dir = tempDir('megaphone-atomic-');
    const file = path.join(dir, 'megaphone.db.json');
    mkdirSync(file);
    writeFileSync(path.join(file, 'inside'), 'x');
    await expect(atomicWrite(file, 'new')).rejects.toMatchObject({
      code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/),
    });
    expect(tempFiles(dir)).toEqual([]);
  });

  it('serves the document and the logs: symlinks at their likely temp names are never followed', async () => {
    const dir = tempDir('megaphone-atomic-');
    const dataFile = path.join(dir, 'megaphone.db.json');
    const victim = plantVictim();
    plantLinks(dataFile, victim);
    plantLinks(logFileFor(dataFile, 'history'), victim);
    const storage = fileStorage(dataFile);
    await storage.document.write({ version: 1 });
    await storage.log('history').append('a\n');
    await storage.log('history').replace('compacted\n');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(readFileSync(logFileFor(dataFile, 'history'), 'utf8')).toBe('compacted\n');
  });
});

describe('the built daemon with symlinks planted at its temp names (issue 12 point 4)', () => {
  let daemon: RunningDaemon | undefined;
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
  });

  it('registers, records history and compacts it without touching the victim', async () => {
    const dir = tempDir('megaphone-e2e-');
    const dataFile = path.join(dir, 'megaphone.db.json');
    const victim = plantVictim();
    plantLinks(dataFile, victim);
    plantLinks(logFileFor(dataFile, 'history'), victim);
    daemon = await spawnDaemon({ dataFile, defaults: { interval: '200ms', timeout: '150ms' } }, { dir });
    const post = (id: string) =>
      fetch(`${daemon?.url}/checks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id, url: 'http://127.0.0.1:1/' }),
      });
    expect((await post('a')).status).toBe(201);
    expect((await post('b')).status).toBe(201);
    // The unreachable target turns the checks Critical: history is written too.
    await waitFor(() => readFileSync(logFileFor(dataFile, 'history'), 'utf8').includes('"Critical"'), 10_000);
    expect(await daemon.stop()).toBe(0);
    daemon = undefined;
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(Object.keys((JSON.parse(readFileSync(dataFile, 'utf8')) as { checks: object }).checks).sort()).toEqual([
      'a',
      'b',
    ]);
  });
});
