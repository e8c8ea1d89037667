// Bench: hostile clients (issue 19). Each attack of bench/lib/hostile-attacks.mjs runs against a fresh
// built daemon (default budgets, derived from `ulimit -n`) while a balancer on another loopback address
// polls plain GET / (20/s, a new connection each, as HAProxy's httpchk does) and, with the agent on,
// asks the agent port for a group (10/s). Reports the balancer's p50/p99/max and errors during the
// attack, the daemon's RSS before / peak / when the attacker leaves / `settleMs` later, and what the
// daemon's budgets held and refused.
import { fork } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBare, startDaemon } from './lib/children.mjs';
import { ATTACKS } from './lib/hostile-attacks.mjs';
import { cpuSeconds, machineLoad, rssMb } from './lib/proc.mjs';
import { fmt, percentile } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const BALANCER = '127.0.9.1';

/** `n` history entries as the daemon's journal holds them (1 000 checks, 100 each). */
function historyFile(n) {
  const at = Date.now();
  const lines = [];
  for (let i = 0; i < n; i++) {
    const e = { index: i + 1, check: `svc-${i % 1000}`, from: 'OK', to: 'Critical', message: `down ${i}`, at };
    lines.push(JSON.stringify(e));
  }
  return `${lines.join('\n')}\n`;
}

/** GET / from BALANCER every `everyMs` on a new connection; latencies of the answered ones, and errors. */
function balancer(port, everyMs = 50, from = BALANCER) {
  const ms = [];
  const errors = new Map();
  const fail = (why) => errors.set(why, (errors.get(why) ?? 0) + 1);
  const one = () => {
    const t0 = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path: '/', localAddress: from, agent: false, timeout: 5000 });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? ms.push(performance.now() - t0) : fail(`HTTP ${res.statusCode}`)));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => fail(err.code ?? err.message));
  };
  const timer = setInterval(one, everyMs);
  return { stop: () => (clearInterval(timer), { ms, errors }) };
}

/** The agent asked for group `web` from 127.0.9.2 every `everyMs`; an empty answer is an error. */
function agentAsker(port, everyMs = 100) {
  let asked = 0;
  let failed = 0;
  const one = () => {
    asked++;
    let line = '';
    const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.9.2' }, () => s.write('web\n'));
    s.setEncoding('latin1');
    s.setTimeout(5000, () => s.destroy());
    s.on('data', (d) => (line += d));
    s.on('error', () => undefined);
    s.on('close', () => line.endsWith('\n') || failed++);
  };
  const timer = setInterval(one, everyMs);
  return { stop: () => (clearInterval(timer), { asked, failed }) };
}

/** Values of /metrics whose names start with `prefix`, as `name{labels}` → number. */
async function metrics(url, prefix = 'megaphone_') {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\S+)$/.exec(line);
    if (m && m[1].startsWith(prefix) && Number(m[2]) !== 0) out[m[1]] = Number(m[2]);
  }
  return out;
}

function attacker(start) {
  const child = fork(path.join(here, 'lib/hostile-attacker.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = new Promise((resolve) => child.once('message', (m) => resolve(m.result)));
  child.send({ start });
  return { stop: () => (child.send({ stop: true }), result) };
}

/**
 * Runs each attack (`only`: their names) for `attackMs`, then watches the daemon for `settleMs`
 * after the attacker left. Returns one row per attack.
 */
export async function benchHostile({ only, attackMs = 20_000, settleMs = 60_000, nodeArgs = [] } = {}) {
  const rows = [];
  for (const attack of ATTACKS.filter((a) => !only || only.includes(a.name))) {
    const daemon = await startDaemon({
      config: {
        ...(attack.agent ? { agent: { port: 0 }, groups: { web: { checks: ['*'] } } } : {}),
        ...attack.config,
      },
      files: attack.history ? { 'db.history.jsonl': historyFile(attack.history) } : {},
      nodeArgs,
    });
    const twin = await startBare({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: Buffer.from(JSON.stringify({ status: 'OK', date: new Date().toISOString(), message: 'Everything is OK!' })),
    });
    const twinPort = Number(new URL(twin.url).port);
    try {
      // Start-up garbage settles first: what the attack is compared with.
      await sleep(3000);
      const rssIdle = rssMb(daemon.pid);
      let rssPeak = rssIdle;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(daemon.pid))), 200);
      // A scrape resets the daemon's event-loop delay histogram: what the next one shows is the attack's.
      await metrics(daemon.url);
      const polls = balancer(daemon.port);
      // The same polls of a bare node:http twin nobody attacks: what the machine's load alone costs.
      const twinPolls = balancer(twinPort, 50, '127.0.9.3');
      const asks = daemon.agentPort ? agentAsker(daemon.agentPort) : undefined;
      const attack_ = attacker({ name: attack.name, port: daemon.port, agentPort: daemon.agentPort });
      const cpu0 = cpuSeconds(daemon.pid);
      await sleep(attackMs);
      const cpu = ((cpuSeconds(daemon.pid) - cpu0) / (attackMs / 1000)) * 100;
      const load = machineLoad();
      const loop = await metrics(daemon.url, 'nodejs_eventloop_lag_');
      const held = await metrics(daemon.url);
      const { ms, errors } = polls.stop();
      const twinMs = twinPolls.stop().ms;
      const agent = asks?.stop();
      const attackerSaw = await attack_.stop();
      const rssLeft = rssMb(daemon.pid);
      await sleep(settleMs);
      clearInterval(sampler);
      const rssSettled = rssMb(daemon.pid);
      const heap = await metrics(daemon.url, 'nodejs_heap_size_');
      rows.push({
        name: attack.name,
        what: attack.what,
        p50: percentile(ms, 50),
        p99: percentile(ms, 99),
        twinP50: percentile(twinMs, 50),
        twinP99: percentile(twinMs, 99),
        max: Math.max(...ms),
        answered: ms.length,
        errors: Object.fromEntries(errors),
        errorCount: [...errors.values()].reduce((a, b) => a + b, 0),
        agent,
        cpu,
        load,
        loopP99: (loop.nodejs_eventloop_lag_p99_seconds ?? 0) * 1000,
        loopMax: (loop.nodejs_eventloop_lag_max_seconds ?? 0) * 1000,
        rssIdle,
        rssPeak,
        rssLeft,
        rssSettled,
        heapSettled: (heap.nodejs_heap_size_used_bytes ?? NaN) / 1048576,
        held,
        attacker: attackerSaw,
      });
    } finally {
      await daemon.stop();
      await twin.stop();
    }
  }
  return rows;
}

/** One line per attack for RESULTS.md, with the targets. */
export function hostileLine(r, settleMs) {
  // Back to idle: at most 10 % above what it was before (start-up garbage may leave it below).
  const back = r.rssSettled <= 1.1 * r.rssIdle;
  const ok = (v) => (v ? 'met' : 'NOT MET');
  const agent = r.agent ? `; agent asks failed ${r.agent.failed}/${r.agent.asked}` : '';
  return (
    `| ${r.name} | GET / p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, max ${fmt(r.max, 0)} ms ` +
    `(bare twin, not attacked: p50 ${fmt(r.twinP50, 1)}, p99 ${fmt(r.twinP99, 1)}); ` +
    `errors ${r.errorCount}/${r.answered + r.errorCount}${agent}; daemon CPU ${fmt(r.cpu, 0)} %, ` +
    `event-loop delay p99 ${fmt(r.loopP99, 0)} ms, max ${fmt(r.loopMax, 0)} ms (load ${r.load}); ` +
    `RSS ${fmt(r.rssIdle, 0)} → peak ${fmt(r.rssPeak, 0)}, ${fmt(r.rssLeft, 0)} as the attacker left, ` +
    `${fmt(r.rssSettled, 0)} MB ${settleMs / 1000} s later (JS heap ${fmt(r.heapSettled, 0)} MB) | ` +
    `p99 ${ok(r.p99 < 50)}, ` +
    `errors ${ok(r.errorCount === 0 && !r.agent?.failed)}, RSS back ${ok(back)} |`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchHostile({ only: process.argv[2]?.split(',') });
  for (const r of rows) console.log(hostileLine(r, 60_000), JSON.stringify({ held: r.held, attacker: r.attacker }));
}
