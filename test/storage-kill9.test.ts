import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileStorage } from '../src/storage/file.js';
import { JournaledStore } from '../src/storage/journaled-store.js';
import { tempDir } from './helpers/app.js';
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
