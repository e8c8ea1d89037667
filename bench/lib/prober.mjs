// Measures GET / latency at a steady pace (not saturating) until told to stop, then reports
// the latencies. Runs in its own process so the load generator does not skew it.
import { Pool } from 'undici';

const [url, everyMs] = [process.argv[2], Number(process.argv[3] ?? 5)];
const client = new Pool(url, { connections: 4, pipelining: 1 });
const latencies = [];
const inFlight = new Set();
let stopping = false;
process.on('message', (m) => {
  if (m === 'stop') stopping = true;
  // 'stop-now': a daemon may be stuck; requests still waiting count with the time they have waited so far.
  if (m === 'stop-now') {
    const now = performance.now();
    process.send({ latencies: [...latencies, ...[...inFlight].map((t0) => now - t0)] }, () => process.exit(0));
  }
});

async function loop() {
  while (!stopping) {
    const t0 = performance.now();
    inFlight.add(t0);
    const res = await client.request({ path: '/', method: 'GET' });
    await res.body.dump();
    inFlight.delete(t0);
    latencies.push(performance.now() - t0);
    const wait = everyMs - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}
process.send({ ready: true });
await Promise.all([loop(), loop()]);
process.send({ latencies });
await client.close();
process.disconnect();
