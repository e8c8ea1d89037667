// Bench 7: what the TLS and gRPC kinds cost: 1 000 checks at 10 s, HTTP mixed with https (a named
// CA, tls.expiry), tls:// handshakes, gRPC health plaintext and over TLS, against targets in other
// processes; CPU (% of one core) over a window once all are OK and an interval has passed, RSS at its end.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon, startTargets } from './lib/children.mjs';
import { pool, untilStatus } from './lib/http.mjs';
import { cpuSeconds, rssMb } from './lib/proc.mjs';
import { fmt } from './lib/stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startTlsTargets() {
  const child = fork(path.join(here, 'lib/tls-targets.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`tls targets exited with ${code}`)));
    const stop = () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill();
      });
    child.once('message', (m) => resolve({ ...m, pid: child.pid, stop }));
  });
}

/** The kinds of the mix, each a registration for check n. */
export const KINDS = {
  http: (id, n, http) => ({ id, url: http.url(n) }),
  https: (id, n, _http, t) => ({ id, url: `https://127.0.0.1:${t.ports.https}/s/${n}`, tls: { ca: 'bench', expiry } }),
  tls: (id, _n, _http, t) => ({ id, url: `tls://127.0.0.1:${t.ports.tls}`, tls: { ca: 'bench', expiry } }),
  grpc: (id, _n, _http, t) => ({ id, url: `grpc://127.0.0.1:${t.ports.grpc}` }),
  grpcs: (id, _n, _http, t) => ({
    id,
    url: `grpc://127.0.0.1:${t.ports.grpcs}`,
    tls: { ca: 'bench', servername: 'bench.test', expiry },
  }),
};
const expiry = { warning: '14d', critical: '3d' };

/** `kinds`: the mix, check n being of kinds[n % kinds.length]. */
export async function benchKinds({
  checks = 1000,
  kinds = Object.keys(KINDS),
  settleMs = 12_000,
  windowMs = 20_000,
  nodeArgs = [],
}) {
  const http = await startTargets(1);
  const t = await startTlsTargets();
  const daemon = await startDaemon({
    config: { defaults: { interval: '10s' }, tls: { cas: { bench: t.ca } } },
    nodeArgs,
  });
  try {
    const client = pool(daemon.url, 50);
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let n = next++; n < checks; n = next++) {
          const res = await client.request({
            path: '/checks',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(KINDS[kinds[n % kinds.length]](`svc-${n}`, n, http, t)),
          });
          const text = await res.body.text();
          if (res.statusCode !== 201) throw new Error(`POST /checks svc-${n}: HTTP ${res.statusCode} ${text}`);
        }
      }),
    );
    await client.close();
    await untilStatus(daemon.url, 'OK');
    await sleep(settleMs);
    const d0 = cpuSeconds(daemon.pid);
    const w0 = performance.now();
    await sleep(windowMs);
    const secs = (performance.now() - w0) / 1000;
    const cpu = ((cpuSeconds(daemon.pid) - d0) / secs) * 100;
    const rss = rssMb(daemon.pid);
    console.log(
      `  ${checks} checks @ 10s (${kinds.join(', ')}): daemon ${fmt(cpu)} % of one core, RSS ${fmt(rss, 0)} MB`,
    );
    return { checks, cpu, rss };
  } finally {
    await daemon.stop();
    await t.stop();
    await http.stop();
  }
}
