// Bench 3: freshness: time from a target changing status to GET / showing it, at 1 000 checks.
import { startDaemon, startTargets, registrations } from './lib/children.mjs';
import { pool, untilStatus } from './lib/http.mjs';
import { fmt, median } from './lib/stats.mjs';

async function rootStatus(client) {
  const res = await client.request({ path: '/', method: 'GET' });
  return JSON.parse(await res.body.text()).status;
}

export async function benchFreshness({ checks = 1000, intervalMs = 2000, samples = 8, nodeArgs = [] } = {}) {
  const targets = await startTargets();
  const daemon = await startDaemon({
    config: { defaults: { interval: intervalMs } },
    data: registrations(checks, targets),
    nodeArgs,
  });
  const client = pool(daemon.url, 1);
  const times = [];
  try {
    await untilStatus(daemon.url, 'OK');
    for (let i = 0; i < samples; i++) {
      const n = Math.floor(Math.random() * checks);
      // Alternate: a target turns Critical, then back to OK; each change is one sample.
      for (const [to, expect] of [
        ['Critical', 'Critical'],
        ['OK', 'OK'],
      ]) {
        // A random pause first, so a change does not always land right after a poll.
        await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
        const t0 = performance.now();
        await targets.set(n, to);
        while ((await rootStatus(client)) !== expect) {
          if (performance.now() - t0 > intervalMs * 5) throw new Error(`svc-${n} did not turn ${expect} at / in time`);
          await new Promise((r) => setTimeout(r, 2));
        }
        times.push(performance.now() - t0);
      }
    }
  } finally {
    await client.close();
    await daemon.stop();
    await targets.stop();
  }
  const worst = Math.max(...times);
  console.log(
    `  ${checks} checks @ ${intervalMs} ms: change visible at / after median ${fmt(median(times), 0)} ms, worst ` +
      `${fmt(worst, 0)} ms of ${times.length} changes (budget ${intervalMs + 100} ms)`,
  );
  return { checks, intervalMs, median: median(times), worst, budget: intervalMs + 100, samples: times.length };
}
