// Bench 1d: the HAProxy agent port, connections per second, daemon vs a bare net server
// writing the same line, alternating A B A B.
import { execFile, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

function connectLoad(port, seconds) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(here, 'lib/connect-load.mjs'), '127.0.0.1', String(port), String(seconds), '50'],
      (err, stdout) => {
        if (err) return reject(err);
        resolve(JSON.parse(stdout));
      },
    );
  });
}

async function startBareAgent(line) {
  const child = fork(path.join(here, 'lib/bare-agent.mjs'), [Buffer.from(line).toString('base64')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise((resolve) => child.once('message', (m) => resolve(m.port)));
  return { port, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

/** Alternates connection bursts on the daemon's agent port and a bare twin; ratio of medians. */
export async function benchAgent(agentPort, { rounds, seconds }) {
  const probe = await connectLoad(agentPort, 0.2);
  const bare = await startBareAgent(`${probe.sample}\n`);
  try {
    const a = [];
    const b = [];
    for (let i = 0; i < rounds; i++) {
      a.push(await connectLoad(agentPort, seconds));
      b.push(await connectLoad(bare.port, seconds));
    }
    const daemon = median(a.map((r) => r.cps));
    const twin = median(b.map((r) => r.cps));
    return {
      line: probe.sample,
      daemon,
      bare: twin,
      ratio: daemon / twin,
      errors: a.reduce((n, r) => n + r.errors, 0),
    };
  } finally {
    await bare.stop();
  }
}
