// Measures one discovery snapshot's wall time and event-loop stall with ~500 extra processes.
// Run: npx tsx bench/discovery-snapshot.ts [extraProcesses=500] [rounds=10]
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import psList from 'ps-list';
import { procReader } from '../src/discovery/reader.js';

const extra = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 10);

async function measure(label: string, fn: () => Promise<number>): Promise<void> {
  const walls: number[] = [];
  const stalls: number[] = [];
  let count = 0;
  for (let i = 0; i < rounds; i++) {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const t0 = performance.now();
    count = await fn();
    walls.push(performance.now() - t0);
    h.disable();
    // The histogram records delay beyond the 1 ms resolution timer, in ns.
    stalls.push(h.max / 1e6);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`${label.padEnd(34)} processes=${count}  wall median ${med(walls).toFixed(1)} ms (max ${Math.max(...walls).toFixed(1)})  event-loop stall median ${med(stalls).toFixed(1)} ms (max ${Math.max(...stalls).toFixed(1)})`);
}

const children: ChildProcess[] = [];
for (let i = 0; i < extra; i++) children.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
await new Promise((r) => setTimeout(r, 1000));
const direct = procReader();
try {
  await measure('ps-list 9', async () => (await psList()).length);
  await measure('/proc on the event loop (batches)', async () => (await direct.table()).length);
  await measure('/proc table + ports of 10 pids', async () => {
    const table = await direct.table();
    await direct.ports(table.slice(0, 10).map((p) => p.pid));
    return table.length;
  });
} finally {
  for (const c of children) c.kill('SIGKILL');
}
