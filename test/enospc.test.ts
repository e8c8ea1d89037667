import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';

// The disk is "full" while this is set: every write to a data file's temp file fails with ENOSPC after a partial write.
const disk = vi.hoisted(() => ({ full: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = async (...args: Parameters<typeof real.open>) => {
    const fh = await real.open(...args);
    if (!disk.full || !String(args[0]).endsWith('.tmp')) return fh;
    const writeFile = async (data: string | Uint8Array) => {
      await fh.write(String(data).slice(0, 10));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
    };
    return Object.assign(fh, { writeFile });
  };
  return { ...real, open, default: { ...real, open } };
});

const reg = (id: string) => ({ id, url: `http://127.0.0.1:1/${id}` });
let t: TestApp | undefined;
afterEach(async () => {
  disk.full = false;
  await t?.close();
  t = undefined;
});

describe('a full disk (mocked ENOSPC)', () => {
  it('refuses registrations and deletions with 507 and acknowledges nothing it did not store', async () => {
    t = await makeTestApp();
    await t.request.post('/checks').send(reg('a')).expect(201);
    const before = readFileSync(t.dataFile, 'utf8');

    disk.full = true;
    const res = await t.request.post('/checks').send(reg('b'));
    expect(res.status).toBe(507);
    expect(res.body).toEqual({ error: expect.stringMatching(/cannot write data file .*ENOSPC/), code: 'E_STORAGE' });
    await t.request.delete('/checks/a').expect(507);
    // A burst shares one write: every one of them fails together.
    const burst = await Promise.all(['c', 'd', 'e', 'f'].map((id) => t!.request.post('/checks').send(reg(id))));
    expect(burst.map((r) => r.status)).toEqual([507, 507, 507, 507]);

    expect(readFileSync(t.dataFile, 'utf8')).toBe(before);
    expect(readdirSync(path.dirname(t.dataFile)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await t.request.get('/checks')).body).toEqual({ a: reg('a').url });
    expect(t.table.get('b')).toBeUndefined();

    disk.full = false;
    await t.request.post('/checks').send(reg('b')).expect(201);
    const dataFile = t.dataFile;
    await t.close();
    t = await makeTestApp({}, dataFile);
    expect(Object.keys((await t.request.get('/checks')).body).sort()).toEqual(['a', 'b']);
  });
});

function tryMountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// A real full disk needs root (mount); CI runs as root, elsewhere this is skipped and the mock above stands.
const mountDir = tempDir('megaphone-tmpfs-');
const canMount = tryMountTmpfs(mountDir, '64k');

describe.runIf(canMount)('a full disk (real 64 KB tmpfs, real daemon)', () => {
  let d: RunningDaemon | undefined;
  afterEach(async () => d?.kill9());
  afterAll(() => execFileSync('umount', [mountDir]));

  it('answers 507 once the disk is full, and every acknowledged registration survives kill -9', async () => {
    // Leave about 16 KB: room for a few registrations, and for the temp copy beside the file.
    writeFileSync(path.join(mountDir, 'filler'), Buffer.alloc(48 * 1024));
    d = await spawnDaemon({ dataFile: path.join(mountDir, 'db.json') });
    const acked: string[] = [];
    const refused: string[] = [];
    for (let i = 0; i < 40 && refused.length < 3; i++) {
      const id = `c${i}`;
      const body = JSON.stringify({ id, url: `http://127.0.0.1:1/${'x'.repeat(1500)}` });
      const res = await fetch(`${d.url}/checks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (res.status === 201) acked.push(id);
      else {
        expect(res.status).toBe(507);
        expect(await res.json()).toMatchObject({ code: 'E_STORAGE' });
        refused.push(id);
      }
    }
    expect(acked.length).toBeGreaterThan(0);
    expect(refused.length).toBe(3);
    await d.kill9();
    d = undefined;
    const stored = Object.keys((JSON.parse(readFileSync(path.join(mountDir, 'db.json'), 'utf8')) as { checks: object }).checks);
    expect(stored.sort()).toEqual([...acked].sort());
    expect(existsSync(path.join(mountDir, 'db.json.tmp'))).toBe(false);
  });
});
