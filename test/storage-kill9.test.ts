import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileStorage } from '../src/storage/file.js';
import { JournaledStore } from '../src/storage/journaled-store.js';
import { tempDir } from './helpers/app.js';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { megaphone } from './helpers/procs.js';
import { waitFor } from './helpers/wait.js';
import { readHeld, WriteLoad } from './helpers/write-load.js';
import { ids, registrations } from './helpers/registrations-model.js';

const burst = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'journal-burst.ts');

/** Runs the burst in a child, SIGKILLs it once it acknowledged about `acks` ops, and returns what it acknowledged. */
function burstThenKill(dir: string, prefix: string, acks: number, extraMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', burst, dir, prefix], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let acked = 0;
    let killing = false;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      out += text;
      // Roughly (a line may straddle two chunks): only the moment of the kill depends on it.
      acked += text.match(/ack /g)?.length ?? 0;
      if (!killing && acked >= acks) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`burst ended by itself (${code}) before the kill: ${err}`));
      else resolve([...out.matchAll(/^ack (\S+)$/gm)].map((m) => m[1] as string));
    });
  });
}

describe('kill -9 during a burst of commits', () => {
  it('loses no acknowledged op, round after round, torn tails and compactions included', async () => {
    const dir = tempDir('megaphone-kill9-');
    const dataFile = path.join(dir, 'megaphone.db.json');
    const everAcked: string[] = [];
    for (let round = 0; round < 6; round++) {
      // Kill at a random moment: after a random number of acks, plus up to 30 ms.
      const acked = await burstThenKill(
        dir,
        `r${round}`,
        50 + Math.floor(Math.random() * 1500),
        Math.floor(Math.random() * 30),
      );
      expect(acked.length).toBeGreaterThan(0);
      everAcked.push(...acked);
      const store = await JournaledStore.open(registrations(fileStorage(dataFile)));
      const held = new Set(ids(store.state));
      expect(everAcked.filter((id) => !held.has(id))).toEqual([]);
      // Nothing that was never committed: only ids of the rounds so far.
      expect([...held].filter((id) => !new RegExp(`^r[0-${round}]-\\d+$`).test(id))).toEqual([]);
    }
    // Compactions happened along the way: the snapshot covers some ops.
    expect((JSON.parse(readFileSync(dataFile, 'utf8')) as { journalSeq: number }).journalSeq).toBeGreaterThan(0);
  });
});

describe('the built daemon: kill -9 amid concurrent writes of every kind, and a second daemon on its files', () => {
  let running: RunningDaemon | undefined;
  afterEach(async () => {
    await running?.kill9();
    running = undefined;
  });

  /** Waits until `load` has this many acknowledged writes in all. */
  const acked = (load: WriteLoad, n: number) => waitFor(() => load.acks >= n || load.unexpected.length > 0, 20_000);

  it('restarted after each kill, it holds every acknowledged write, and no write half-applied', async () => {
    const dir = tempDir('megaphone-kill9-daemon-');
    const dataFile = path.join(dir, 'megaphone.db.json');
    const load = new WriteLoad();
    for (let round = 0; round < 3; round++) {
      running = await spawnDaemon({ dataFile }, { dir });
      if (round > 0) {
        // What the last kill left: every acknowledged write, each in-flight one applied whole or not at all.
        const held = await readHeld(running.url);
        expect(load.mismatches(held)).toEqual([]);
        load.settle(held);
      }
      load.start(running.url, `r${round}`);
      // Kill at a random moment: after a random number of acknowledgements, plus up to 20 ms.
      await acked(load, load.acks + 100 + Math.floor(Math.random() * 400));
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      await running.kill9();
      await load.ended();
      expect(load.unexpected).toEqual([]);
    }
    running = await spawnDaemon({ dataFile }, { dir });
    const held = await readHeld(running.url);
    expect(load.mismatches(held)).toEqual([]);
    // Every kind of write was acknowledged along the way.
    expect([...load.kinds.keys()].sort()).toEqual([
      'delete',
      'lift',
      'maintenance off',
      'maintenance on',
      'push report',
      'register',
      'replace',
      'silence',
    ]);
    expect(held.checks.size).toBeGreaterThan(50);
  }, 120_000);

  it('a second daemon refuses to start; the first keeps acknowledging; all it acknowledged is on disk', async () => {
    const dir = tempDir('megaphone-kill9-daemon-');
    const dataFile = path.join(dir, 'megaphone.db.json');
    const load = new WriteLoad();
    const first = (running = await spawnDaemon({ dataFile }, { dir }));
    load.start(first.url, 'first');
    await acked(load, 100);
    const second = await megaphone(['serve', '--config', first.configFile]);
    expect(second.code).toBe(1);
    expect(second.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(`^megaphone: data file ${dataFile} is in use by megaphone PID ${first.proc.pid} `),
    ]);
    const atRefusal = load.acks;
    await acked(load, atRefusal + 100);
    await load.stop();
    expect(load.unexpected).toEqual([]);
    expect(await first.stop()).toBe(0);
    running = await spawnDaemon({ dataFile }, { dir });
    const held = await readHeld(running.url);
    // Stopped cleanly, with no write in flight: exactly what was acknowledged.
    expect(load.mismatches(held)).toEqual([]);
    expect([...load.checks.values()].every((t) => t.pending === undefined)).toBe(true);
    await running.stop();
    running = undefined;
  }, 60_000);
});
