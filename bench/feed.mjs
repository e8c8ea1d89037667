// Bench: the change feed. 1 000 blocking queries (GET /?index=N&wait=10m) and 100 /events streams
// held open on the built daemon: its CPU and memory while nothing changes, and how long one change
// takes to reach every one of them.
import http from 'node:http';
import net from 'node:net';
import { startDaemon } from './lib/children.mjs';
import { cpuPercentOver, cpuSeconds, rssMb } from './lib/proc.mjs';
import { fmt, percentile } from './lib/stats.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Every held request is a socket of its own, kept alive between queries as a monitor's HTTP client does.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function request(url, { method = 'GET', body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const report = (base, status) =>
  request(`${base}/checks/feed/status`, {
    method: 'PUT',
    body: JSON.stringify({ status, message: `now ${status}` }),
    headers: { 'content-type': 'application/json' },
  });

async function metric(base, name) {
  const text = (await request(`${base}/metrics`)).text;
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

/**
 * Blocking queries on raw keep-alive sockets, one each: the client does nothing but write a
 * request and note when the first bytes of its answer arrive, so what is measured is megaphone.
 */
function waiterSockets(port, count) {
  const sockets = [];
  let arrived = [];
  for (let i = 0; i < count; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.on('data', () => {
      if (socket.waiting) arrived.push(performance.now());
      socket.waiting = false;
    });
    socket.on('error', () => undefined);
    sockets.push(socket);
  }
  return {
    /** Sends one blocking query on every socket. */
    hold(index) {
      arrived = [];
      for (const socket of sockets) {
        socket.waiting = true;
        socket.write(`GET /?index=${index}&wait=10m HTTP/1.1\r\nHost: bench\r\n\r\n`);
      }
    },
    answered: () => arrived,
    close: () => sockets.forEach((s) => s.destroy()),
  };
}

/** An /events stream that records when each transition event arrives. */
function stream(base, arrivals) {
  const req = http.get(`${base}/events`, { agent }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      if (chunk.includes('event: transition')) arrivals.push(performance.now());
    });
  });
  req.on('error', () => undefined);
  return req;
}

export async function benchFeed({ waiters = 1000, streams = 100, idleMs = 10_000, rounds = 3, nodeArgs = [] } = {}) {
  // One client address holds every socket here: give it room (the docs say how to size this).
  const daemon = await startDaemon({
    config: { limits: { connectionsPerClient: waiters + streams + 50, heldPerClient: waiters + streams + 10 } },
    nodeArgs,
  });
  const base = daemon.url;
  const open = [];
  try {
    await request(`${base}/checks`, {
      method: 'POST',
      body: JSON.stringify({ id: 'feed', ttl: '1h' }),
      headers: { 'content-type': 'application/json' },
    });
    await report(base, 'OK');
    // The same daemon holding nothing, after its start-up garbage settled: what the holders add to.
    await sleep(3000);
    const idleBase = await cpuPercentOver(daemon.pid, idleMs);
    const rssBefore = rssMb(daemon.pid);
    const arrivals = [];
    for (let i = 0; i < streams; i++) open.push(stream(base, arrivals));

    const latencies = [];
    const cpuPerChange = [];
    const port = Number(new URL(base).port);
    const holders = waiterSockets(port, waiters);
    open.push({ destroy: () => holders.close() });
    let idleCpu;
    let rssHeld;
    let status = 'OK';
    for (let round = 0; round < rounds; round++) {
      const index = (await request(`${base}/`)).headers['x-megaphone-index'];
      holders.hold(index);
      while ((await metric(base, 'megaphone_feed_waiting')) < waiters) await sleep(100);
      if (round === 0) {
        while ((await metric(base, 'megaphone_event_streams')) < streams) await sleep(100);
        // Let the garbage of 1 100 connections being set up settle first.
        await sleep(5000);
        idleCpu = await cpuPercentOver(daemon.pid, idleMs);
        rssHeld = rssMb(daemon.pid);
      }
      arrivals.length = 0;
      status = status === 'OK' ? 'Critical' : 'OK';
      const c0 = cpuSeconds(daemon.pid);
      const t0 = performance.now();
      await report(base, status);
      while (holders.answered().length < waiters || arrivals.length < streams) await sleep(2);
      const last = Math.max(...holders.answered(), ...arrivals.slice(0, streams));
      latencies.push(last - t0);
      cpuPerChange.push((cpuSeconds(daemon.pid) - c0) * 1000);
      await sleep(300);
    }
    return {
      waiters,
      streams,
      idleCpu,
      idleBase,
      idleCost: idleCpu - idleBase,
      rssBefore,
      rssHeld,
      rssDelta: rssHeld - rssBefore,
      worst: Math.max(...latencies),
      median: percentile(latencies, 50),
      daemonCpuMs: percentile(cpuPerChange, 50),
      rounds,
    };
  } finally {
    for (const req of open) req.destroy();
    await daemon.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchFeed();
  console.log(
    `${r.waiters} blocked waiters + ${r.streams} SSE streams: idle ${fmt(r.idleCpu, 2)} % of one core ` +
      `(${fmt(r.idleBase, 2)} % holding nothing: they cost ${fmt(r.idleCost, 2)} %), ` +
      `RSS ${fmt(r.rssBefore, 0)} → ${fmt(r.rssHeld, 0)} MB (+${fmt(r.rssDelta, 1)} MB); ` +
      `one change reached all of them in median ${fmt(r.median, 1)} ms, worst ${fmt(r.worst, 1)} ms of ${r.rounds} ` +
      `(daemon CPU per change ${fmt(r.daemonCpuMs, 1)} ms)`,
  );
}
