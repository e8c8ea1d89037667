// Hostile graphs and patterns (issue 19, items 5-6): GET / latency, measured by a paced prober
// process from another connection, while a client (1) registers a dependency chain of 9 990 links
// one check at a time, (2) registers checks extending a stored chain of 9 990 links, (3) registers
// 128-character ids into a group whose pattern is `a*a*a*a*a*a*a`; `idle` (no writes) is the
// reference. Run: `npm run build && node bench/graph-hostile.mjs`; MEGAPHONE_BENCH_CLI=… runs another
// build; --only=idle,chain,stored,glob --chain=N --globIds=N --budget=S size it (a scenario stops at
// its budget, a POST still waiting then is abandoned).
import { parseArgs } from 'node:util';
import { startDaemon, startProber } from './lib/children.mjs';
import { pool } from './lib/http.mjs';
import { fmt, percentile } from './lib/stats.mjs';
import { machineLoad, rssMb } from './lib/proc.mjs';

async function post(client, body, signal) {
  const res = await client.request({
    path: '/checks',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  const text = await res.body.text();
  return { status: res.statusCode, code: res.statusCode >= 400 ? JSON.parse(text).code : undefined };
}

/** Runs `attack(client)` against a fresh daemon while the prober measures GET /; stops at `budgetS`. */
async function scenario({ name, config, data, attack, budgetS }) {
  const daemon = await startDaemon({ config: { limits: { maxChecks: 20_000 }, ...config }, data });
  const client = pool(daemon.url, 1);
  // The first read builds the summary of what was loaded: not part of what is measured.
  await fetch(daemon.url).then((r) => r.arrayBuffer());
  const prober = startProber(daemon.url);
  await prober.ready;
  const outcomes = new Map();
  let peakRss = rssMb(daemon.pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(daemon.pid))), 200);
  const t0 = performance.now();
  const deadline = t0 + budgetS * 1000;
  let sent = 0;
  let latencies = [];
  try {
    for await (const body of attack()) {
      if (performance.now() > deadline) break;
      // A build stuck on one POST (a backtracking regex) is stopped at the budget, not waited for.
      const signal = AbortSignal.timeout(Math.max(1, Math.ceil(deadline - performance.now())));
      const r = await post(client, body, signal).catch((err) => ({ status: 0, code: err.name }));
      sent++;
      const key = r.code ? `${r.status} ${r.code}` : String(r.status);
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    latencies = await prober.stop(true);
  } finally {
    clearInterval(sampler);
    await client.close().catch(() => undefined);
    // A build stuck in a backtracking regex answers SIGTERM only when it is done: do not wait for it.
    process.kill(daemon.pid, 'SIGKILL');
    await daemon.stop();
  }
  const secs = (performance.now() - t0) / 1000;
  return { name, sent, secs, outcomes, latencies, peakRss, cutShort: performance.now() > deadline };
}

// No attack: GET / alone, the same seconds, for the ratio.
async function* idle(seconds) {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  yield* [];
}

function* chain(n) {
  for (let i = 0; i < n; i++) yield { id: `c${i}`, ttl: '1h', ...(i ? { dependsOn: [`c${i - 1}`] } : {}) };
}

// A data file holding a chain of n links (written before any bound), as a daemon may load it.
function storedChain(n) {
  const checks = {};
  for (const reg of chain(n + 1)) checks[reg.id] = reg;
  return { version: 1, checks };
}

function* extend(n, times) {
  for (let k = 0; k < times; k++) yield { id: `x${k}`, ttl: '1h', dependsOn: [`c${n}`] };
}

function* globIds(n) {
  // 128 characters of a's with a number and a final b: never a member, the worst case for a backtracking regex.
  for (let i = 0; i < n; i++) yield { id: `${'a'.repeat(120)}${String(i).padStart(7, '0')}b`, ttl: '1h' };
}

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'idle,chain,stored,glob' },
    chain: { type: 'string', default: '9990' },
    globIds: { type: 'string', default: '200' },
    budget: { type: 'string', default: '120' },
  },
});
const budgetS = Number(values.budget);
const only = new Set(values.only.split(','));
console.log(`graph-hostile: node ${process.version}, load average ${machineLoad()}, ${new Date().toISOString()}`);
const scenarios = [
  { key: 'idle', name: `idle (no writes) for ${Math.min(budgetS, 20)} s`, attack: () => idle(Math.min(budgetS, 20)) },
  {
    key: 'chain',
    name: `chain of ${values.chain} checks, one POST at a time`,
    attack: () => chain(Number(values.chain)),
  },
  {
    key: 'stored',
    name: `20 checks each extending a stored chain of ${values.chain} links`,
    data: storedChain(Number(values.chain)),
    attack: () => extend(Number(values.chain), 20),
  },
  {
    key: 'glob',
    name: `${values.globIds} 128-character ids into group a*a*a*a*a*a*a`,
    config: { groups: { evil: { checks: ['a*a*a*a*a*a*a'] } } },
    attack: () => globIds(Number(values.globIds)),
  },
];
for (const s of scenarios.filter((x) => only.has(x.key))) {
  const r = await scenario({ ...s, budgetS });
  const answers = [...r.outcomes].map(([k, n]) => `${n}× ${k}`).join(', ');
  console.log(
    `${r.name}: ${r.sent} POSTs in ${fmt(r.secs)} s${r.cutShort ? ` (stopped at the ${budgetS} s budget)` : ''} ` +
      `[${answers}]; GET / from another connection: ${r.latencies.length} samples, p50 ` +
      `${fmt(percentile(r.latencies, 50), 2)} ms, p99 ${fmt(percentile(r.latencies, 99), 2)} ms, max ` +
      `${fmt(Math.max(...r.latencies), 0)} ms; daemon peak RSS ${fmt(r.peakRss, 0)} MB`,
  );
}
