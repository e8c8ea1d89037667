import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// MEGAPHONE_BENCH_CLI: another build's dist/cli.js, to compare two builds in one session (A/B).
export const CLI = process.env.MEGAPHONE_BENCH_CLI ?? path.resolve(here, '../../dist/cli.js');

/** The node flags the `megaphone` bin runs with (its shebang, from package.json `megaphone.nodeFlags`). */
export function binNodeFlags() {
  const first = readFileSync(CLI, 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node (.*)$/.exec(first);
  return m ? m[1].split(' ').filter(Boolean) : [];
}

function firstMessage(child, key) {
  return new Promise((resolve, reject) => {
    const onExit = (code) => reject(new Error(`child exited with ${code}`));
    const onMsg = (m) => {
      if (m[key] === undefined) return;
      child.off('message', onMsg);
      child.off('exit', onExit);
      resolve(m[key]);
    };
    child.on('message', onMsg);
    child.once('exit', onExit);
  });
}

/** Fake targets on `ports` loopback ports, in their own process. */
export async function startTargets(ports = 4) {
  const child = fork(path.join(here, 'targets-server.mjs'), [String(ports)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const dnsPort = firstMessage(child, 'dnsPort');
  const list = await firstMessage(child, 'ports');
  return {
    pid: child.pid,
    ports: list,
    /** URL of target n (spread over the ports). */
    url: (n) => `http://127.0.0.1:${list[n % list.length]}/s/${n}`,
    /** URL of target n that answers a number, `{"queue": 3}`. */
    numberUrl: (n) => `http://127.0.0.1:${list[n % list.length]}/n/${n}`,
    /** The DNS server (`host:port`) answering A 127.0.0.1 for every name. */
    dns: `127.0.0.1:${await dnsPort}`,
    async set(n, status) {
      const ack = firstMessage(child, 'done');
      child.send({ set: n, status });
      await ack;
    },
    /** Sets the status of many targets at once. */
    async setMany(list, status) {
      const ack = firstMessage(child, 'done');
      child.send({ setMany: list, status });
      await ack;
    },
    /** Epoch ms of each target's first request so far (`reset`: forget them afterwards). */
    async firsts(reset = false) {
      const reply = firstMessage(child, 'firsts');
      child.send({ firsts: true, reset });
      return reply;
    },
    stop: () => stopChild(child),
  };
}

/** A bare node:http server serving a fixed reply, in its own process. */
export async function startBare(reply) {
  const child = fork(path.join(here, 'bare-server.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const listening = firstMessage(child, 'port');
  child.send({ ...reply, body: reply.body.toString('base64') });
  const port = await listening;
  return { pid: child.pid, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

function stopChild(child) {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** `n` registrations pointing at the targets, as the daemon's data file holds them. */
export function registrations(n, targets) {
  const checks = {};
  for (let i = 0; i < n; i++) checks[`svc-${i}`] = { id: `svc-${i}`, url: targets.url(i) };
  return { version: 1, checks };
}

/**
 * Spawns the built daemon on 127.0.0.1:0 with `config`, and `data` pre-seeded as its data file
 * (`files`: more files beside it, e.g. `db.history.jsonl`). `nodeArgs` go to node (e.g. --cpu-prof).
 */
export async function startDaemon({ config = {}, data, files = {}, nodeArgs = [] } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'megaphone-bench-'));
  const dataFile = path.join(dir, 'db.json');
  if (data) writeFileSync(dataFile, JSON.stringify(data));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const configFile = path.join(dir, 'megaphone.conf.json');
  writeFileSync(configFile, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, dataFile, ...config }));
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [...binNodeFlags(), ...nodeArgs, CLI, 'serve', '--config', configFile], {
    cwd: dir,
    env: { ...process.env, MEGAPHONE_LOG_LEVEL: 'info', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Until it listens, its output is kept (to find the port, or to say why it did not start); after,
  // it is only drained: a registration burst logs megabytes, and scanning them per chunk starved
  // this process (the bench's clients) of CPU.
  let out = '';
  const collect = (d) => (out += d);
  child.stdout.on('data', collect);
  let listeningAt = NaN;
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start\n${out}`)), 60_000);
    const onData = () => {
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (!line) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      const logged = JSON.parse(line);
      // pino's `time` (ISO, ms; epoch ms before) is when the daemon logged it, not when this process read it.
      const at = typeof logged.time === 'number' ? logged.time : Date.parse(logged.time);
      listeningAt = Number.isFinite(at) ? at : Date.now();
      resolve(logged.port);
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code}\n${out}`));
    });
  });
  // The agent listener (when configured) logs its port before the HTTP server listens.
  const agentLine = out.split('\n').find((l) => l.includes('"haproxy agent listening"'));
  const agentPort = agentLine ? JSON.parse(agentLine).port : undefined;
  child.stdout.off('data', collect);
  child.stdout.resume();
  return {
    pid: child.pid,
    port,
    agentPort,
    url: `http://127.0.0.1:${port}`,
    dir,
    /** Epoch ms the process was spawned and said it was listening. */
    spawnedAt,
    listeningAt,
    stop: () => stopChild(child),
  };
}

/**
 * The paced GET / prober (lib/prober.mjs, every 5 ms) in its own process; `stop()` resolves with its
 * latencies, `stop(true)` at once, requests still waiting counted with the time waited so far.
 */
export function startProber(url) {
  const child = fork(path.join(here, 'prober.mjs'), [url, '5'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((resolve) => child.once('message', resolve));
  return {
    ready,
    stop: (now = false) =>
      new Promise((resolve) => {
        child.on('message', (m) => m.latencies && resolve(m.latencies));
        child.send(now ? 'stop-now' : 'stop');
      }),
  };
}
