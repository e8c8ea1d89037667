import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTestApp, tempDir, type TestApp } from './helpers/app.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { fileStorage } from '../src/storage/file.js';
import { faultyStorage, type FaultyStorage } from '../src/storage/faulty.js';

const reg = (id: string) => ({ id, url: `http://127.0.0.1:1/${id}` });
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** megaphone on a real data file whose disk can be made "full" (every journal append fails with ENOSPC). */
async function onFaultyDisk(dataFile = path.join(tempDir(), 'db.json')): Promise<{ t: TestApp; disk: FaultyStorage }> {
  const disk = faultyStorage(fileStorage(dataFile));
  const app = await makeTestApp({}, dataFile, { deps: { storage: disk } });
  return { t: app, disk };
}
const full = (disk: FaultyStorage) => disk.inject({ on: 'append', kind: 'ENOSPC', times: Infinity });

describe('a full disk (the faulty storage)', () => {
  it('refuses registrations and deletions with 507 and acknowledges nothing it did not store', async () => {
    const { t: app, disk } = await onFaultyDisk();
    t = app;
    await app.request.post('/checks').send(reg('a')).expect(201);

    full(disk);
    const res = await app.request.post('/checks').send(reg('b'));
    expect(res.status).toBe(507);
    expect(res.body).toEqual({ error: expect.stringMatching(/ENOSPC/), code: 'E_STORAGE' });
    await app.request.delete('/checks/a').expect(507);
    // A burst shares one write: every one of them fails together.
    const burst = await Promise.all(['c', 'd', 'e', 'f'].map((id) => app.request.post('/checks').send(reg(id))));
    expect(burst.map((r) => r.status)).toEqual([507, 507, 507, 507]);
    expect((await app.request.get('/checks')).body).toEqual({ a: reg('a').url });
    expect(app.table.get('b')).toBeUndefined();

    disk.heal();
    await app.request.post('/checks').send(reg('b')).expect(201);
    const dataFile = app.dataFile;
    await app.close();
    t = await makeTestApp({}, dataFile);
    expect(Object.keys((await t.request.get('/checks')).body).sort()).toEqual(['a', 'b']);
    expect(readdirSync(path.dirname(dataFile)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it(
    'a refused write leaves no trace: a 507 push report is never written later, nor does a 507 ' +
      'write drop an acknowledged one',
    async () => {
      const { t: app, disk } = await onFaultyDisk();
      t = app;
      await app.request.post('/checks').send({ id: 'job', ttl: '1h' }).expect(201);
      await app.request.put('/checks/job/status').send({ status: 'OK', message: 'acknowledged' }).expect(200);

      full(disk);
      await app.request.put('/checks/job/status').send({ status: 'Critical', message: 'refused' }).expect(507);
      await app.request.post('/checks').send(reg('other')).expect(507);
      await app.request.delete('/checks/job').expect(507);
      await app.request.put('/maintenance').send({ reason: 'refused' }).expect(507);
      await app.request.put('/checks/job/silence').send({ reason: 'refused' }).expect(507);
      expect(app.table.get('job')).toMatchObject({ status: 'OK', message: 'acknowledged' });

      // An unrelated successful write must carry none of the refused ones.
      disk.heal();
      await app.request.post('/checks').send(reg('later')).expect(201);
      const dataFile = app.dataFile;
      await app.close();
      t = await makeTestApp({}, dataFile);
      expect(t.table.get('job')).toMatchObject({ status: 'OK', message: 'acknowledged' });
      expect(Object.keys((await t.request.get('/checks')).body).sort()).toEqual(['job', 'later']);
      expect((await t.request.get('/maintenance')).body).toEqual({ maintenance: null });
      expect((await t.request.get('/checks/job/silence')).body.silenced).toBeNull();
    },
  );
});

function tryMountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// A real full disk needs root (mount); CI runs as root, elsewhere this is skipped and the faulty storage above stands.
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
      const res = await fetch(`${d.url}/checks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
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
    // Restarted on the disk still full: every acknowledged registration is back (data file and journal), nothing else.
    d = await spawnDaemon({ dataFile: path.join(mountDir, 'db.json') });
    const stored = Object.keys((await (await fetch(`${d.url}/checks`)).json()) as object);
    expect(stored.sort()).toEqual([...acked].sort());
    expect(readdirSync(mountDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
