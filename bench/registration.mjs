// Bench 4: registration burst: durable POST /checks per second (each acknowledged only once
// fsynced) and GET / latency, measured by a paced prober process, during the burst.
import { startDaemon, startProber, startTargets } from './lib/children.mjs';
import { pool } from './lib/http.mjs';
import { postCheck } from './lib/register.mjs';
import { fmt, percentile } from './lib/stats.mjs';
import { cpuSeconds } from './lib/proc.mjs';

export async function benchRegistration({ seconds = 5, concurrency = 100, nodeArgs = [] } = {}) {
  const targets = await startTargets();
  const daemon = await startDaemon({
    config: { defaults: { interval: '10s' }, limits: { maxChecks: 100_000 } },
    nodeArgs,
  });
  const client = pool(daemon.url, concurrency);
  const prober = startProber(daemon.url);
  let done = 0;
  let failed = 0;
  let next = 0;
  try {
    // Warm the JIT with a few registrations first (a running daemon has served requests before).
    for (let i = 0; i < 200; i++) await postCheck(client, `warm-${i}`, targets.url(i));
    await prober.ready;
    const until = performance.now() + seconds * 1000;
    const t0 = performance.now();
    const cpu0 = cpuSeconds(daemon.pid);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const n = next++;
          if ((await postCheck(client, `burst-${n}`, targets.url(n))) === 201) done++;
          else failed++;
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    // CPU time per registration holds up under a busy machine better than the rate does.
    const cpuMs = ((cpuSeconds(daemon.pid) - cpu0) * 1000) / Math.max(1, done);
    const latencies = await prober.stop();
    const rate = done / secs;
    const p99 = percentile(latencies, 99);
    console.log(
      `  ${done} registrations in ${fmt(secs)} s = ${fmt(rate, 0)}/s durable (${failed} failed, ${concurrency} ` +
        `clients); GET / during burst p50 ${fmt(percentile(latencies, 50), 2)} ms p99 ${fmt(p99, 2)} ms ` +
        `(${latencies.length} samples); daemon CPU ${fmt(cpuMs, 2)} ms per registration`,
    );
    return {
      registrations: done,
      failed,
      rate,
      cpuMs,
      seconds: secs,
      p50: percentile(latencies, 50),
      p99,
      samples: latencies.length,
      concurrency,
    };
  } finally {
    await client.close();
    await daemon.stop();
    await targets.stop();
  }
}
