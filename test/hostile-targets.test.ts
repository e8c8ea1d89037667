import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDaemon, type RunningDaemon } from './helpers/daemon.js';
import { startHostileService, HOSTILE_PATHS, type HostilePath, type HostileService } from './helpers/hostile.js';
import { waitFor } from './helpers/wait.js';

// What each hostile target must turn into at GET /: status and reason, within the 1 s poll deadline.
const EXPECTED: Record<HostilePath, RegExp> = {
  hang: /^hang:Critical:timed out after 1s$/,
  'slow-headers': /^slow-headers:Critical:timed out after 1s$/,
  drip: /^drip:Critical:timed out after 1s$/,
  huge: /^huge:Unknown:response body over 64 KB$/,
  'invalid-json': /^invalid-json:Unknown:invalid JSON: /,
  // 10 000 levels down, `$..status` finds it (the evaluator keeps its own stack): OK, so not listed.
  'deep-object': /^$/,
  'deep-array': /^deep-array:Unknown:(no status at status|invalid JSON: .*)$/,
  'redirect-loop': /^redirect-loop:Critical:HTTP 302: redirect to \/redirect-loop not followed$/,
  latin1: /^latin1:Warning:caf\uFFFD \uFFFD\uFFFD$/,
  'huge-headers':
    /^huge-headers:Critical:response headers too large \((UND_ERR_HEADERS_OVERFLOW|HPE_HEADER_OVERFLOW)\)$/,
  'close-mid-body': /^close-mid-body:Critical:.*(closed|reset|terminated).*$/,
  reset: /^reset:Critical:(connection reset|connection closed by the other side) \((ECONNRESET|UND_ERR_SOCKET)\)$/,
  'long-message': /^long-message:Critical:x{4095}…$/,
  garbage: /^garbage:Critical:invalid HTTP response \(HPE_[A-Z_]+\)$/,
};

let d: RunningDaemon;
let hostile: HostileService;

beforeAll(async () => {
  hostile = await startHostileService();
  d = await spawnDaemon({ defaults: { interval: '2s', timeout: '1s' } });
});
afterAll(async () => {
  await d?.stop();
  await hostile?.close();
});

/** Splits GET /'s message into one entry per check (check messages here contain no "; "). */
function entries(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split('; ')) out.set(part.slice(0, part.indexOf(':')), part);
  return out;
}

describe('hostile targets', () => {
  it('each gets a clear status and reason, the daemon stays up and GET / keeps answering', async () => {
    for (const path of HOSTILE_PATHS) {
      const url = path === 'deep-object' ? { addr: hostile.url(path), jsonpath: '$..status' } : hostile.url(path);
      const res = await fetch(`${d.url}/checks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: path, url }),
      });
      expect(res.status, path).toBe(201);
    }

    const latencies: number[] = [];
    let last: Map<string, string> = new Map();
    await waitFor(
      async () => {
        const started = performance.now();
        const res = await fetch(`${d.url}/`);
        const body = (await res.json()) as { status: string; message: string };
        latencies.push(performance.now() - started);
        expect(res.status).toBe(503);
        last = entries(body.message);
        return HOSTILE_PATHS.every((p) => EXPECTED[p].test(last.get(p) ?? ''));
      },
      20_000,
      20,
    ).catch((err: unknown) => {
      throw new Error(
        `${String(err)}\n` +
          [...last.values()]
            .map((m) => `${m.slice(0, 120)} [${m.length} chars, ends ${JSON.stringify(m.slice(-3))}]`)
            .join('\n'),
      );
    });

    // Keep polling / through a few more rounds of hostile polls.
    for (let i = 0; i < 150; i++) {
      const started = performance.now();
      const res = await fetch(`${d.url}/`);
      await res.arrayBuffer();
      expect(res.status).toBe(503);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]?.toFixed(1);
    console.log(
      `GET / while ${HOSTILE_PATHS.length} hostile checks poll: n=${latencies.length} p50 ${pct(0.5)} ms, p99 ` +
        `${pct(0.99)} ms, max ${pct(1)} ms`,
    );

    expect(((await (await fetch(`${d.url}/checks/deep-object/state`)).json()) as { status: string }).status).toBe('OK');
    expect(d.proc.exitCode).toBeNull();
    // The 100 MB sender was cut off after the 64 KB cap (plus socket buffers), every poll.
    expect(hostile.hugeBytesSent).toBeLessThan(100 * 1024 * 1024);
  });
});
