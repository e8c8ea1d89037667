// npm run bench: every megaphone benchmark, each printing ratios measured in the same run.
// Options: --only=root,poller,mixed,freshness,registration,startup,scale,feed,tls,hostile  --quick (shorter windows)
//          --prof-dir=DIR  --attacks=pipelined-holds,... (hostile: which attacks; default all)
import { parseArgs } from 'node:util';
import os from 'node:os';
import { benchRoot } from './root.mjs';
import { benchPoller } from './poller.mjs';
import { benchFreshness } from './freshness.mjs';
import { benchRegistration } from './registration.mjs';
import { benchStartups } from './startup.mjs';
import { benchScale } from './scale.mjs';
import { benchFeed } from './feed.mjs';
import { benchKinds } from './kinds.mjs';
import { benchHostile, hostileLine } from './hostile.mjs';
import { busiest, machineLoad } from './lib/proc.mjs';
import { fmt, median } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'prof-dir': { type: 'string' },
    attacks: { type: 'string' },
  },
});
// With --prof-dir, every daemon writes a V8 CPU profile there (read it with bench/lib/top-profile.mjs).
const nodeArgs = values['prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${values['prof-dir']}`] : [];
const only = new Set(
  (values.only ?? 'root,poller,mixed,freshness,registration,startup,scale,feed,tls,hostile').split(','),
);
const quick = values.quick;
const verdict = (ok) => (ok ? 'met' : 'NOT MET');
const lines = [];

console.log(
  `megaphone bench: node ${process.version}, ${os.cpus().length} cores, load average ${machineLoad()}, ` +
    `${new Date().toISOString()}`,
);
console.log(`busiest processes (lifetime %CPU): ${busiest()}`);

if (only.has('root')) {
  console.log(
    '1. GET / throughput and latency, 1 000 checks, daemon vs bare node:http (wrk -t2 -c50 --latency, alternating)',
  );
  const rows = await benchRoot({ rounds: quick ? 1 : 3, seconds: quick ? 3 : 5, nodeArgs });
  for (const r of rows) {
    if (r.skipped) {
      console.log(`  ${r.name}: SKIPPED (${r.skipped})`);
      lines.push(`| ${r.name} | skipped: ${r.skipped} | |`);
      continue;
    }
    if (r.agent) {
      lines.push(
        `| ${r.name} | ${fmt(r.ratio, 2)}x bare net server (${fmt(r.daemon, 0)} vs ${fmt(r.bare, 0)} conn/s) | info |`,
      );
      continue;
    }
    const isRoot = r.name.startsWith('GET / (default') || r.name.startsWith('GET /groups/all (default');
    // Issue 13: ≥ 0.95x bare node:http (median of alternating rounds), p99 within 1.1x of bare's.
    const target = isRoot
      ? `throughput ${verdict(r.ratio >= 0.95)} (≥ 0.95x), p99 ${verdict(r.daemon.p99 <= 1.1 * r.bare.p99)} ` +
        `(≤ 1.1x bare: ${fmt(r.daemon.p99 / r.bare.p99, 2)}x)`
      : 'info';
    lines.push(
      `| ${r.name} | ${fmt(r.ratio, 2)}x bare (${fmt(r.daemon.rps, 0)} vs ${fmt(r.bare.rps, 0)} req/s), p99 ` +
        `${fmt(r.daemon.p99, 2)} ms (bare ${fmt(r.bare.p99, 2)}); CPU/request ${fmt(r.daemon.cpuUs, 1)} vs ` +
        `${fmt(r.bare.cpuUs, 1)} µs | ${target} |`,
    );
  }
}

if (only.has('poller')) {
  console.log('2. Poller cost: HTTP checks at 10 s, registered through the API, against fake targets');
  for (const [checks, maxCpu, maxRss] of [
    [1000, 4, 100],
    [10_000, 20, 160],
  ]) {
    const r = await benchPoller({ checks, windowMs: quick ? 10_000 : 20_000, nodeArgs });
    lines.push(
      `| ${checks} checks @ 10 s | ${fmt(r.cpu)} % of one core, RSS ${fmt(r.rss, 0)} MB (targets process ` +
        `${fmt(r.targetsCpu)} %) | CPU ${verdict(r.cpu < maxCpu)} (< ${maxCpu} %), RSS ${verdict(r.rss < maxRss)} ` +
        `(< ${maxRss} MB) |`,
    );
  }
}

if (only.has('mixed')) {
  console.log(
    '2b. Poller cost of the issue-21 rules: 1 000 checks @ 10 s, HTTP only, then a third each of plain HTTP,',
  );
  console.log('    HTTP with latency + thresholds, and dns:// with latency + expect (same run, same targets process)');
  const latency = { warning: '500ms', critical: '2s' };
  const mix = (targets, n) =>
    n % 3 === 0
      ? { url: targets.url(n) }
      : n % 3 === 1
        ? { url: { addr: targets.numberUrl(n), jsonpath: 'queue', thresholds: { warning: '~:100' } }, latency }
        : { url: { addr: `dns://svc-${n}.bench.test`, server: targets.dns, expect: ['127.0.0.1'] }, latency };
  const windowMs = quick ? 10_000 : 20_000;
  // Alternating A B A B, so drifting load on a shared machine weighs on both alike; the medians are compared.
  const runs = { plain: [], mixed: [] };
  for (let round = 0; round < (quick ? 1 : 3); round++) {
    runs.plain.push(await benchPoller({ checks: 1000, windowMs, nodeArgs, label: 'HTTP checks' }));
    runs.mixed.push(await benchPoller({ checks: 1000, windowMs, nodeArgs, spec: mix, label: 'mixed checks' }));
  }
  const mid = (rs, key) => median(rs.map((r) => r[key]));
  const plain = { cpu: mid(runs.plain, 'cpu'), rss: mid(runs.plain, 'rss') };
  const mixed = { cpu: mid(runs.mixed, 'cpu'), rss: mid(runs.mixed, 'rss') };
  lines.push(
    `| 1000 mixed checks @ 10 s (⅓ HTTP, ⅓ HTTP + latency + thresholds, ⅓ dns:// + latency + expect), medians | ` +
      `${fmt(mixed.cpu)} % of one core, RSS ${fmt(mixed.rss, 0)} MB; ${fmt(mixed.cpu / plain.cpu, 2)}x the CPU and ` +
      `${fmt(mixed.rss / plain.rss, 2)}x the RSS of 1000 HTTP checks in this run (${fmt(plain.cpu)} %, ` +
      `${fmt(plain.rss, 0)} MB) | CPU ${verdict(mixed.cpu < 4)} (< 4 %), RSS ${verdict(mixed.rss < 100)} (< 100 MB) |`,
  );
}

if (only.has('freshness')) {
  console.log('3. Freshness: target change → visible at GET /');
  const r = await benchFreshness({ samples: quick ? 3 : 8, nodeArgs });
  lines.push(
    `| freshness, ${r.checks} checks @ ${r.intervalMs} ms | median ${fmt(r.median, 0)} ms, worst ` +
      `${fmt(r.worst, 0)} ms of ${r.samples} | ${verdict(r.worst <= r.budget)} (≤ ${r.budget} ms) |`,
  );
}

if (only.has('registration')) {
  console.log('4. Registration burst: durable POST /checks and GET / latency meanwhile');
  const r = await benchRegistration({ seconds: quick ? 3 : 5, nodeArgs });
  lines.push(
    `| registration burst (${r.concurrency} clients) | ${fmt(r.rate, 0)} durable/s (${r.registrations} in ` +
      `${fmt(r.seconds)} s), GET / p99 ${fmt(r.p99, 2)} ms; daemon CPU ${fmt(r.cpuMs, 2)} ms/registration | rate ` +
      `${verdict(r.rate >= 3000)} (≥ 3000/s), p99 ${verdict(r.p99 < 10)} (< 10 ms) |`,
  );
}

if (only.has('startup')) {
  console.log('5. Start-up with stored checks: time to listening, first poll round spread over the interval');
  const r = await benchStartups({ nodeArgs });
  lines.push(
    `| start-up, ${r.big.checks} stored checks | listening ${fmt(r.big.listeningMs, 0)} ms after spawn; first polls ` +
      `per ${r.big.intervalMs / 10} ms: ${r.big.bars.join(' ')} (last at ${fmt(r.big.lastMs, 0)} ms) | listening ` +
      `${verdict(r.big.listeningMs < 1000)} (< 1 s), spread ${verdict(r.spread)} (no bar over 2x an even share) |`,
  );
  lines.push(
    `| start-up, ${r.small.checks} stored checks | listening ${fmt(r.small.listeningMs, 0)} ms; every first poll ` +
      `within ${fmt(r.small.lastMs, 0)} ms of listening | polled at once ${verdict(r.atOnce)} (< 200 ms) |`,
  );
}

if (only.has('scale')) {
  console.log('6. Scale: 100 … 50 000 stored checks @ 10 s (chart: bench/scale.svg)');
  const rows = await benchScale({ quick, nodeArgs });
  for (const r of rows) {
    lines.push(
      `| scale, ${r.checks} checks | ${fmt(r.cpu)} % of one core, RSS ${fmt(r.rss, 0)} MB; GET / ${fmt(r.rps, 0)} ` +
        `req/s, p99 ${fmt(r.p99, 2)} ms; ${fmt(r.perChangeUs, 0)} µs CPU per status change | info |`,
    );
  }
}

if (only.has('feed')) {
  console.log('8. Change feed: 1 000 blocked waiters and 100 /events streams, idle cost and delivery of one change');
  const r = await benchFeed({ idleMs: quick ? 5_000 : 10_000, rounds: quick ? 3 : 5, nodeArgs });
  console.log(
    `  idle ${fmt(r.idleCpu, 2)} % of one core (holding nothing ${fmt(r.idleBase, 2)} %), ` +
      `RSS +${fmt(r.rssDelta, 1)} MB; ` +
      `one change reached all in median ${fmt(r.median, 1)} ms, worst ${fmt(r.worst, 1)} ms; ` +
      `daemon CPU per change ${fmt(r.daemonCpuMs, 1)} ms`,
  );
  lines.push(
    `| change feed, ${r.waiters} waiters + ${r.streams} streams | idle ${fmt(r.idleCpu, 2)} % (holding nothing ` +
      `${fmt(r.idleBase, 2)} %), +${fmt(r.rssDelta, 1)} MB; one change reached all in median ${fmt(r.median, 1)} ms ` +
      `(worst ${fmt(r.worst, 1)}) | idle ${verdict(r.idleCost < 1)} (< 1 %), memory ${verdict(r.rssDelta < 20)} ` +
      `(< 20 MB), delivery ${verdict(r.median < 50)} (< 50 ms) |`,
  );
}

if (only.has('tls')) {
  console.log('9. TLS and gRPC kinds: 1 000 checks @ 10 s, http, https, tls://, grpc, grpc over TLS (a fifth each)');
  const r = await benchKinds({ windowMs: quick ? 10_000 : 20_000, nodeArgs });
  lines.push(
    `| ${r.checks} checks @ 10 s, TLS and gRPC kinds mixed with HTTP | ${fmt(r.cpu)} % of one core, RSS ` +
      `${fmt(r.rss, 0)} MB | CPU ${verdict(r.cpu < 4)} (< 4 %), RSS ${verdict(r.rss < 100)} (< 100 MB) |`,
  );
}

if (only.has('hostile')) {
  console.log(
    '10. Hostile clients: each attack against a fresh daemon while a balancer polls GET / 20/s from 127.0.9.1',
  );
  const settleMs = quick ? 15_000 : 60_000;
  const rows = await benchHostile({
    only: values.attacks?.split(','),
    attackMs: quick ? 8_000 : 20_000,
    settleMs,
    nodeArgs,
  });
  for (const r of rows) {
    console.log(`  ${r.name}: ${r.what}`);
    console.log(`    held/refused at the end: ${JSON.stringify(r.held)}; attacker: ${JSON.stringify(r.attacker)}`);
    if (r.errorCount > 0) console.log(`    balancer errors: ${JSON.stringify(r.errors)}`);
    lines.push(hostileLine(r, settleMs));
  }
}

console.log(`\nload average after: ${machineLoad()}; busiest: ${busiest()}\n`);
console.log('| bench | result | target |\n|---|---|---|');
for (const l of lines) console.log(l);
