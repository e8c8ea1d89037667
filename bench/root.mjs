// Bench 1: GET / of the daemon (1 000 checks) against a bare node:http server serving the
// same bytes, alternating A B A B in one run so the machine's noise hits both alike.
import { startBare, startDaemon, startTargets, registrations } from './lib/children.mjs';
import { get, untilStatus } from './lib/http.mjs';
import { wrk } from './lib/wrk.mjs';
import { benchAgent } from './agent.mjs';
import { dialectCases, hasAgent } from './dialects.mjs';
import { median, fmt } from './lib/stats.mjs';
import { cpuSeconds } from './lib/proc.mjs';

// The twin sends every header the daemon sent (ETag, X-Megaphone-Index, Vary, …): the same bytes
// on the wire. Only what node:http writes itself per connection is left to it.
const HEADERS_NODE_WRITES = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** Alternates wrk on `a` and `b` `rounds` times; returns the medians and the ratio a/b. */
export async function alternate(a, b, { rounds, seconds, headers = {}, pids = [] }) {
  const ra = [];
  const rb = [];
  // CPU microseconds per request of each server (from /proc): steadier than req/s on a busy machine.
  const cpuPerReq = async (url, pid) => {
    const c0 = pid ? cpuSeconds(pid) : 0;
    const r = await wrk(url, { seconds, headers });
    return { ...r, cpuUs: pid ? ((cpuSeconds(pid) - c0) * 1e6) / (r.rps * seconds) : NaN };
  };
  for (let i = 0; i < rounds; i++) {
    ra.push(await cpuPerReq(a, pids[0]));
    rb.push(await cpuPerReq(b, pids[1]));
  }
  const A = {
    rps: median(ra.map((r) => r.rps)),
    p99: median(ra.map((r) => r.p99)),
    p50: median(ra.map((r) => r.p50)),
    cpuUs: median(ra.map((r) => r.cpuUs)),
    non2xx: ra.reduce((n, r) => n + r.non2xx, 0),
    errors: ra.map((r) => r.socketErrors).filter(Boolean),
  };
  const B = {
    rps: median(rb.map((r) => r.rps)),
    p99: median(rb.map((r) => r.p99)),
    p50: median(rb.map((r) => r.p50)),
    cpuUs: median(rb.map((r) => r.cpuUs)),
  };
  return {
    daemon: A,
    bare: B,
    ratio: A.rps / B.rps,
    rounds: ra.map((r, i) => [r.rps, rb[i].rps]),
    command: ra[0].args,
  };
}

/** A bare server serving what the daemon answered for `path` with `headers`. */
async function bareTwin(daemonUrl, path, headers) {
  const r = await get(daemonUrl + path, headers);
  const kept = {};
  for (const [h, v] of Object.entries(r.headers)) if (!HEADERS_NODE_WRITES.has(h)) kept[h] = v;
  return {
    twin: await startBare({ status: r.status, headers: kept, body: r.body }),
    bytes: r.body.length,
    status: r.status,
  };
}

export async function benchRoot({ checks = 1000, rounds = 3, seconds = 5, nodeArgs = [] } = {}) {
  const targets = await startTargets();
  const agent = hasAgent() ? { agent: { port: 0, host: '127.0.0.1' } } : {};
  const daemon = await startDaemon({
    // One group of every check: /groups/all is served like `/`.
    config: { defaults: { interval: '10s' }, groups: { all: { checks: ['svc-*'] } }, ...agent },
    data: registrations(checks, targets),
    nodeArgs,
  });
  const extra = dialectCases();
  const rows = [];
  try {
    await untilStatus(daemon.url, 'OK');
    // /metrics last: its cost can stall polls, which would colour whatever runs after it.
    const cases = [
      { name: 'GET / (default JSON)', path: '/', headers: {} },
      { name: 'GET /groups/all (default JSON)', path: '/groups/all', headers: {} },
      ...extra,
    ];
    const runAgent = async () => {
      if (daemon.agentPort === undefined) {
        rows.push({
          name: 'HAProxy agent port (connections/s)',
          skipped: 'TODO: the agent listener is not on main yet (dialects, #5)',
        });
        return;
      }
      const r = await benchAgent(daemon.agentPort, { rounds, seconds });
      rows.push({ name: 'HAProxy agent port (connections/s)', agent: true, ...r });
      console.log(
        `  agent port: daemon ${fmt(r.daemon, 0)} conn/s | bare net ${fmt(r.bare, 0)} conn/s | ratio ` +
          `${fmt(r.ratio, 2)}x ("${r.line}", ${r.errors} errors)`,
      );
    };
    for (const c of cases) {
      if (c.path === '/metrics') await runAgent();
      if (c.skip) {
        rows.push({ name: c.name, skipped: c.skip });
        continue;
      }
      const { twin, bytes, status } = await bareTwin(daemon.url, c.path, c.headers);
      try {
        const r = await alternate(daemon.url + c.path, twin.url + c.path, {
          rounds,
          seconds,
          headers: c.headers,
          pids: [daemon.pid, twin.pid],
        });
        rows.push({ name: c.name, bytes, status, ...r });
        console.log(
          `  ${c.name}: daemon ${fmt(r.daemon.rps, 0)} req/s p99 ${fmt(r.daemon.p99, 2)} ms | bare ` +
            `${fmt(r.bare.rps, 0)} req/s p99 ${fmt(r.bare.p99, 2)} ms | ratio ${fmt(r.ratio, 2)}x (${bytes} B, ` +
            `HTTP ${status}); CPU per request ${fmt(r.daemon.cpuUs, 1)} vs ${fmt(r.bare.cpuUs, 1)} µs`,
        );
      } finally {
        await twin.stop();
      }
    }
    if (!rows.some((r) => r.name.startsWith('HAProxy agent'))) await runAgent();
  } finally {
    await daemon.stop();
    await targets.stop();
  }
  return rows;
}
