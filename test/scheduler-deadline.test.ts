import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCHEDULER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/polling/scheduler.js');

// A poll that only ends when its signal aborts, while the garbage collector runs constantly.
const script = `
const { Scheduler } = await import(${JSON.stringify(SCHEDULER)});
const s = new Scheduler({ concurrency: 4, onResult: (id, r) => { console.log(r.message); process.exit(0); } });
const aborted = (signal) => ({ status: 'Critical', message: 'aborted: ' + signal.reason?.name, latencyMs: 0, at: 0 });
const poll = (signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(aborted(signal))));
s.schedule('x', 60000, 200, poll);
setInterval(() => globalThis.gc(), 5);
setTimeout(() => { console.log('the poll never timed out'); process.exit(1); }, 5000);
`;

describe('the poll deadline', () => {
  it('fires even when the garbage collector runs during the poll (the built scheduler)', () => {
    const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.stdout.trim()).toBe('aborted: TimeoutError');
    expect(run.status).toBe(0);
  });
});
