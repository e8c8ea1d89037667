#!/usr/bin/env node
// Soak: the built daemon with 1 000 checks (some hostile) for a set time; RSS and handles at start and end.
// Usage: npm run build && node bench/soak.mjs [--duration 180] [--checks 1000] [--hostile 100] [--interval 5s]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const DURATION_S = Number(args.duration ?? 60);
const CHECKS = Number(args.checks ?? 1000);
const HOSTILE = Number(args.hostile ?? 100);
const INTERVAL = args.interval ?? '5s';
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A well-behaved status service: OK most of the time, Warning for some paths. */
function startGood() {
  const server = http.createServer((req, res) => {
    const status = req.url.includes('warn') ? 'Warning' : 'OK';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status, message: `it is ${status}` }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const HOSTILE_KINDS = ['hang', 'drip', 'huge', 'redirect', 'reset', 'invalid', 'deep'];

/** A raw TCP service misbehaving as its path says. */
function startHostile() {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (d) => {
      const kind = /^GET \/(\w+)/.exec(d.toString('latin1'))?.[1];
      const head = (code, h) =>
        `HTTP/1.1 ${code} X\r\n${Object.entries(h)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('')}\r\n`;
      if (kind === 'hang') return;
      if (kind === 'drip') {
        socket.write(head(200, { 'content-length': 100000 }));
        const t = setInterval(() => socket.writable && socket.write(' '), 1000);
        return socket.once('close', () => clearInterval(t));
      }
      if (kind === 'huge') {
        socket.write(head(200, { 'content-length': 10 * 1024 * 1024 }));
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = () => {
          while (!socket.destroyed) if (!socket.write(chunk)) return void socket.once('drain', pump);
        };
        return pump();
      }
      if (kind === 'redirect') return socket.end(head(302, { location: '/redirect', 'content-length': 0 }));
      if (kind === 'reset') return socket.resetAndDestroy();
      if (kind === 'invalid') return socket.end(head(200, { 'content-length': 5 }) + '{"sta');
      const deep = `${'['.repeat(20000)}${']'.repeat(20000)}`;
      return socket.end(head(200, { 'content-length': deep.length }) + deep);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function sample(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  const fds = readdirSync(`/proc/${pid}/fd`);
  const sockets = fds.filter((fd) => {
    try {
      return readFileSyncLink(pid, fd).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
  return {
    rssMB: +(kb('VmRSS') / 1024).toFixed(1),
    hwmMB: +(kb('VmHWM') / 1024).toFixed(1),
    fds: fds.length,
    sockets,
    threads: kb('Threads'),
  };
}
import { readlinkSync } from 'node:fs';
const readFileSyncLink = (pid, fd) => readlinkSync(`/proc/${pid}/fd/${fd}`);

async function latency(url, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const q = (p) => +times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
  return { n, p50: q(0.5), p99: q(0.99), max: q(1) };
}

async function main() {
  const good = await startGood();
  const hostile = await startHostile();
  const dir = mkdtempSync(path.join(tmpdir(), 'megaphone-soak-'));
  const configFile = path.join(dir, 'megaphone.conf.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      listen: { host: '127.0.0.1', port: 0 },
      defaults: { interval: INTERVAL, timeout: '2s' },
      limits: { maxChecks: CHECKS + 10 },
    }),
  );
  const proc = spawn(process.execPath, [CLI, 'serve', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve(JSON.parse(line).port);
    });
    proc.once('exit', (code) => reject(new Error(`daemon exited ${code}: ${out}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const goodPort = good.address().port;
  const hostilePort = hostile.address().port;
  for (let i = 0; i < CHECKS; i++) {
    const url =
      i < HOSTILE
        ? `http://127.0.0.1:${hostilePort}/${HOSTILE_KINDS[i % HOSTILE_KINDS.length]}`
        : `http://127.0.0.1:${goodPort}/${i % 50 === 0 ? 'warn' : 'ok'}/${i}`;
    const res = await fetch(`${base}/checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: `c${i}`, url }),
    });
    if (res.status !== 201) throw new Error(`registration ${i}: ${res.status} ${await res.text()}`);
  }
  await sleep(10_000);
  const start = { ...sample(proc.pid), getRoot: await latency(`${base}/`, 200) };
  console.error(`start: ${JSON.stringify(start)}`);
  const deadline = Date.now() + DURATION_S * 1000;
  while (Date.now() < deadline) {
    await sleep(Math.min(30_000, deadline - Date.now()));
    console.error(
      `t+${Math.round((DURATION_S * 1000 - (deadline - Date.now())) / 1000)}s: ${JSON.stringify(sample(proc.pid))}`,
    );
  }
  const end = { ...sample(proc.pid), getRoot: await latency(`${base}/`, 200) };
  const summary = await (await fetch(`${base}/`)).json();
  // One hostile check of each kind, as the daemon sees it now.
  const hostileStates = {};
  for (let i = 0; i < Math.min(HOSTILE, HOSTILE_KINDS.length); i++) {
    const res = await fetch(`${base}/checks/c${i}/state`);
    const st = res.ok ? await res.json() : { status: res.status };
    hostileStates[HOSTILE_KINDS[i]] = `${st.status}: ${String(st.message ?? '').slice(0, 80)}`;
  }
  proc.kill('SIGTERM');
  const code = await new Promise((r) => proc.once('exit', r));
  good.close();
  hostile.close();
  console.log(
    JSON.stringify(
      {
        checks: CHECKS,
        hostile: HOSTILE,
        interval: INTERVAL,
        durationS: DURATION_S,
        start,
        end,
        status: summary.status,
        message: String(summary.message).slice(0, 300),
        hostileStates,
        exitCode: code,
      },
      null,
      2,
    ),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
