// Measures one discovery snapshot's wall time and event-loop stall with ~500 extra processes.
// Run: npm run build && npx tsx bench/discovery-snapshot.ts [extraProcesses=500] [rounds=10]
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import psList from 'ps-list';
import { procReader } from '../src/discovery/reader.js';

// The worker thread needs the built file (dist/discovery/reader-worker.js): load the built module.
const built = new URL('../dist/discovery/reader.js', import.meta.url).href;
const { workerReader } = (await import(built)) as typeof import('../src/discovery/reader.js');

const extra = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 10);

async function measure(label: string, fn: () => Promise<number>): Promise<void> {
  const walls: number[] = [];
  const cpus: number[] = [];
  const stalls: number[] = [];
  let count = 0;
  for (let i = 0; i < rounds; i++) {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    count = await fn();
    walls.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpus.push((cpu.user + cpu.system) / 1000);
    h.disable();
    // The histogram records how late a 1 ms timer fired, in ns: the longest block of the loop.
    stalls.push(h.max / 1e6);
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const med = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!.toFixed(1);
  console.log(
    `${label.padEnd(34)} processes=${count}  wall median ${med(walls)} ms  ` +
      `cpu (this process) median ${med(cpus)} ms  ` +
      `event-loop stall min ${sorted(stalls)[0]!.toFixed(1)} / median ${med(stalls)} / max ` +
      `${sorted(stalls).at(-1)!.toFixed(1)} ms`,
  );
}

const children: ChildProcess[] = [];
for (let i = 0; i < extra; i++) children.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
await new Promise((r) => setTimeout(r, 1000));
const direct = procReader();
const worker = workerReader(30_000);
try {
  // The same wait with no work: what a loaded machine adds to every row.
  await measure('baseline (idle 100 ms timer)', async () => new Promise((r) => setTimeout(() => r(0), 100)));
  await measure('ps-list 9', async () => (await psList()).length);
  await measure('/proc on the event loop (batches)', async () => (await direct.table()).length);
  await measure('worker thread (the daemon)', async () => (await worker.table()).length);
  await measure('worker: table + ports of 10 pids', async () => {
    const table = await worker.table();
    await worker.ports(table.slice(0, 10).map((p) => p.pid));
    return table.length;
  });
  await measure('/proc table + ports of 10 pids', async () => {
    const table = await direct.table();
    await direct.ports(table.slice(0, 10).map((p) => p.pid));
    return table.length;
  });
} finally {
  await worker.close?.();
  for (const c of children) c.kill('SIGKILL');
}
