// Bench: start-up with N stored checks: time from spawning the daemon to it listening, and when
// each target got its first poll (a histogram over the interval: a herd shows as one tall bar).
import { startDaemon, startTargets, registrations } from './lib/children.mjs';
import { fmt } from './lib/stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Counts of `offsets` (ms) in `bucketMs` buckets from 0 to `spanMs` (earlier ones in the first, later in the last). */
export function histogram(offsets, spanMs, bucketMs) {
  const bars = new Array(Math.ceil(spanMs / bucketMs)).fill(0);
  for (const o of offsets) bars[Math.min(bars.length - 1, Math.max(0, Math.floor(o / bucketMs)))]++;
  return bars;
}

export async function benchStartup({ checks = 10_000, intervalMs = 10_000, nodeArgs = [] } = {}) {
  const targets = await startTargets();
  const daemon = await startDaemon({
    config: { defaults: { interval: intervalMs }, limits: { maxChecks: Math.max(checks, 10_000) } },
    data: registrations(checks, targets),
    nodeArgs,
  });
  try {
    const listeningMs = daemon.listeningAt - daemon.spawnedAt;
    // Every check is due within one interval (plus the slowest poll).
    await sleep(intervalMs + 2_000);
    const firsts = await targets.firsts();
    const offsets = firsts.map((t) => t - daemon.listeningAt);
    const bucketMs = intervalMs / 10;
    const bars = histogram(offsets, intervalMs, bucketMs);
    const polled = firsts.length;
    const last = Math.max(...offsets);
    const tallest = Math.max(...bars);
    console.log(
      `  ${checks} stored checks @ ${intervalMs} ms: listening ${fmt(listeningMs, 0)} ms after spawn; ${polled} ` +
        `first polls, the last ${fmt(last, 0)} ms after listening; per ${bucketMs} ms: ${bars.join(' ')}`,
    );
    return { checks, intervalMs, listeningMs, polled, lastMs: last, firstMs: Math.min(...offsets), bars, tallest };
  } finally {
    await daemon.stop();
    await targets.stop();
  }
}

/** Both cases of the brief: 10 000 checks spread over the interval, a handful polled at once. */
export async function benchStartups({ nodeArgs = [] } = {}) {
  const big = await benchStartup({ checks: 10_000, nodeArgs });
  const small = await benchStartup({ checks: 5, nodeArgs });
  // Spread: no bar above twice an even share, and the round reaches into the interval's second half.
  const even = big.checks / big.bars.length;
  const spread = big.polled === big.checks && big.tallest <= 2 * even && big.lastMs >= big.intervalMs / 2;
  // Small setups poll at once: every first poll within 200 ms of listening.
  const atOnce = small.polled === small.checks && small.lastMs < 200;
  return { big, small, spread, atOnce };
}
