// Bench 2: what polling costs the daemon: N HTTP checks at a 10 s interval against fake targets
// in another process, registered through the API first (100 clients); CPU (% of one core) over a
// window once every check has been polled and a full interval has passed, and RSS at its end.
import { startDaemon, startTargets } from './lib/children.mjs';
import { untilStatus } from './lib/http.mjs';
import { registerChecks } from './lib/register.mjs';
import { cpuSeconds, rssMb } from './lib/proc.mjs';
import { fmt } from './lib/stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// `spec(targets, n)`: the `{url, ...fields}` of check n (default: an HTTP check of target n); `label` names the mix.
export async function benchPoller({
  checks,
  interval = '10s',
  settleMs = 12_000,
  windowMs = 20_000,
  nodeArgs = [],
  spec,
  label = 'checks',
}) {
  const targets = await startTargets();
  const daemon = await startDaemon({
    config: { defaults: { interval }, limits: { maxChecks: Math.max(checks, 10_000) } },
    nodeArgs,
  });
  try {
    const t0 = performance.now();
    await registerChecks(daemon.url, targets, { to: checks, spec: spec && ((n) => spec(targets, n)) });
    const registerS = (performance.now() - t0) / 1000;
    await untilStatus(daemon.url, 'OK');
    const firstAllOkMs = performance.now() - t0;
    // Steady state: every check has had its first poll and at least one more round.
    await sleep(settleMs);
    const d0 = cpuSeconds(daemon.pid);
    const tc0 = cpuSeconds(targets.pid);
    const w0 = performance.now();
    await sleep(windowMs);
    const secs = (performance.now() - w0) / 1000;
    const cpu = ((cpuSeconds(daemon.pid) - d0) / secs) * 100;
    const targetsCpu = ((cpuSeconds(targets.pid) - tc0) / secs) * 100;
    const rss = rssMb(daemon.pid);
    console.log(
      `  ${checks} ${label} @ ${interval}: daemon ${fmt(cpu)} % of one core, RSS ${fmt(rss, 0)} MB (targets ` +
        `process ${fmt(targetsCpu)} %; registered through the API in ${fmt(registerS)} s, all OK after ` +
        `${fmt(firstAllOkMs / 1000)} s)`,
    );
    return { checks, interval, cpu, rss, targetsCpu, firstAllOkMs, windowS: secs };
  } finally {
    await daemon.stop();
    await targets.stop();
  }
}
