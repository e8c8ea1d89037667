// Bench 2: what polling costs the daemon: N HTTP checks at a 10 s interval against fake
// targets in another process; CPU (% of one core) over a window after warm-up, and RSS.
import { startDaemon, startTargets, registrations } from './lib/children.mjs';
import { untilStatus } from './lib/http.mjs';
import { cpuSeconds, rssMb } from './lib/proc.mjs';
import { fmt } from './lib/stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function benchPoller({ checks, interval = '10s', warmupMs = 15_000, windowMs = 20_000, nodeArgs = [] }) {
  const targets = await startTargets();
  const started = Date.now();
  const daemon = await startDaemon({
    config: { defaults: { interval } },
    data: registrations(checks, targets),
    nodeArgs,
  });
  try {
    await untilStatus(daemon.url, 'OK');
    const firstAllOkMs = Date.now() - started;
    await sleep(Math.max(0, warmupMs - (Date.now() - started)));
    const d0 = cpuSeconds(daemon.pid);
    const t0 = cpuSeconds(targets.pid);
    const w0 = performance.now();
    await sleep(windowMs);
    const secs = (performance.now() - w0) / 1000;
    const cpu = ((cpuSeconds(daemon.pid) - d0) / secs) * 100;
    const targetsCpu = ((cpuSeconds(targets.pid) - t0) / secs) * 100;
    const rss = rssMb(daemon.pid);
    console.log(
      `  ${checks} checks @ ${interval}: daemon ${fmt(cpu)} % of one core, RSS ${fmt(rss, 0)} MB (targets ` +
        `process ${fmt(targetsCpu)} %; all OK after ${fmt(firstAllOkMs / 1000)} s)`,
    );
    return { checks, interval, cpu, rss, targetsCpu, firstAllOkMs, windowS: secs };
  } finally {
    await daemon.stop();
    await targets.stop();
  }
}
