// CPU per poll of each kind of check, in this process (the built probes, no daemon): 100 checks of a kind polled at
// once, 20 rounds, kinds alternating over 3 passes; the medians, and each kind against plain HTTP. Contention inflates
// a whole daemon's CPU share on a shared machine far more than the CPU time of one poll.
// Run: npm run build && node bench/per-poll.mjs
import { startTargets } from './lib/children.mjs';
import { fmt, median } from './lib/stats.mjs';
import { machineLoad } from './lib/proc.mjs';

const dist = new URL('../dist/', import.meta.url);
const { runProbe } = await import(new URL('probes/index.js', dist));
const { DnsResolvers } = await import(new URL('probes/dns.js', dist));
const { compileCheck } = await import(new URL('checks/compile.js', dist));
const { parseRegistration } = await import(new URL('checks/spec.js', dist));
const { compileTargetPolicy } = await import(new URL('security/targets.js', dist));
const { createGuardedAgent } = await import(new URL('security/connect-guard.js', dist));

const CHECKS = 100;
const ROUNDS = 20;
const PASSES = 3;
const latency = { warning: '500ms', critical: '2s' };
const KINDS = {
  http: (t, n) => ({ url: t.url(n) }),
  'http + latency + thresholds': (t, n) => ({
    url: { addr: t.numberUrl(n), jsonpath: 'queue', thresholds: { warning: '~:100' } },
    latency,
  }),
  'dns:// + latency + expect': (t, n) => ({
    url: { addr: `dns://svc-${n}.bench.test`, server: t.dns, expect: ['127.0.0.1'] },
    latency,
  }),
};

const targets = await startTargets();
const policy = compileTargetPolicy();
const deps = {
  dispatcher: createGuardedAgent(policy, { keepAliveTimeout: 10_000, connections: 2 }),
  now: Date.now,
  targets: policy,
  resolvers: new DnsResolvers(),
};
const compiled = Object.fromEntries(
  Object.entries(KINDS).map(([kind, spec]) => [
    kind,
    Array.from({ length: CHECKS }, (_, n) =>
      compileCheck(parseRegistration({ id: `c${n}`, ...spec(targets, n) }), 'api', {
        interval: 10_000,
        timeout: 3_000,
      }),
    ),
  ]),
);

/** µs of CPU per poll over ROUNDS rounds of every check of a kind at once; throws if a poll is not OK. */
async function measure(checks) {
  const c0 = process.cpuUsage();
  for (let r = 0; r < ROUNDS; r++) {
    const results = await Promise.all(checks.map((c) => runProbe(c, AbortSignal.timeout(3000), deps)));
    const bad = results.find((x) => x.status !== 'OK');
    if (bad) throw new Error(`a poll is ${bad.status}: ${bad.message}`);
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / (checks.length * ROUNDS);
}

try {
  console.log(`per-poll CPU, node ${process.version}, load average ${machineLoad()}`);
  for (const checks of Object.values(compiled)) await measure(checks);
  const samples = Object.fromEntries(Object.keys(KINDS).map((k) => [k, []]));
  for (let pass = 0; pass < PASSES; pass++)
    for (const [kind, checks] of Object.entries(compiled)) samples[kind].push(await measure(checks));
  const base = median(samples.http);
  for (const [kind, s] of Object.entries(samples))
    console.log(
      `  ${kind.padEnd(28)} ${fmt(median(s), 1)} µs CPU per poll (passes: ${s.map((x) => fmt(x, 0)).join(', ')}); ` +
        `${fmt(median(s) / base, 2)}x plain HTTP`,
    );
} finally {
  await deps.dispatcher.close();
  await targets.stop();
}
