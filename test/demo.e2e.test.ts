import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './helpers/daemon.js';
import { megaphone } from './helpers/procs.js';
import { waitFor } from './helpers/wait.js';

// The built CLI: npm run build first (npm test builds).
let demo: ChildProcess | undefined;
afterEach(() => {
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
  demo = undefined;
});

/** `megaphone demo --port 0 …`; resolves with its URL once its banner is out. */
async function startDemo(...args: string[]): Promise<{ url: string; banner: () => string }> {
  const proc = spawn(process.execPath, [CLI, 'demo', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  demo = proc;
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const url = await waitFor(() => /says/.test(out) && /^megaphone demo: (\S+) says/.exec(out)?.[1], 10_000);
  return { url, banner: () => out };
}

const put = (url: string, body: string, type = 'text/plain') =>
  fetch(url, { method: 'PUT', headers: { 'content-type': type }, body });

describe('megaphone demo: a status service to try megaphone on', () => {
  it('serves its status, says how to change it, and follows a PUT of a word and a message', async () => {
    const { url, banner } = await startDemo();
    expect(banner()).toContain(`change it with: curl -X PUT ${url} -d 'Critical disk full'`);
    expect(await (await fetch(url)).json()).toEqual({ status: 'OK', message: 'demo service is up' });

    const r = await put(url, 'Critical disk full');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'Critical', message: 'disk full' });
    expect(await (await fetch(url)).json()).toEqual({ status: 'Critical', message: 'disk full' });

    // A bare word gets a message saying what was set; JSON works too.
    expect(await (await put(url, 'Warning')).json()).toEqual({ status: 'Warning', message: 'set to Warning' });
    const json = await put(url, JSON.stringify({ status: 'pass', message: 'back' }), 'application/json');
    expect(await json.json()).toEqual({ status: 'pass', message: 'back' });
  });

  it('answers health+json at /health: pass and warn with 200, fail with 503 and the message', async () => {
    const { url } = await startDemo('--status', 'Warning', '--message', 'queue is long');
    const warn = await fetch(`${url}health`);
    expect([warn.status, warn.headers.get('content-type')]).toEqual([200, 'application/health+json']);
    expect(await warn.json()).toEqual({ status: 'warn', output: 'queue is long' });
    await put(url, 'Critical disk full');
    const fail = await fetch(`${url}health`);
    expect([fail.status, await fail.json()]).toEqual([503, { status: 'fail', output: 'disk full' }]);
    await put(url, 'OK');
    expect(await (await fetch(`${url}health`)).json()).toEqual({ status: 'pass' });
  });

  it('keeps numbers a JSON PUT adds beside the status, and answers a GET ?delay= that much later', async () => {
    const { url } = await startDemo();
    const body = JSON.stringify({ status: 'OK', queue: 12, lag: 0.5, note: 'x', __proto__x: 1, nested: { n: 1 } });
    expect(await (await put(url, body, 'application/json')).json()).toEqual({
      status: 'OK',
      message: 'set to OK',
      queue: 12,
      lag: 0.5,
    });
    expect(await (await fetch(url)).json()).toEqual({ status: 'OK', message: 'set to OK', queue: 12, lag: 0.5 });
    const started = performance.now();
    expect((await fetch(`${url}?delay=300ms`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`n${i}`, i]));
    const refused = await put(url, JSON.stringify({ status: 'OK', ...many }), 'application/json');
    expect([refused.status, ((await refused.json()) as { error: string }).error]).toEqual([
      400,
      'at most 8 numbers beside the status',
    ]);
  });

  it('refuses a bad status, a big body, other methods and paths with {error, code}', async () => {
    const { url } = await startDemo();
    const cases: Array<[Promise<Response>, number, string]> = [
      [put(url, 'not-a-word!'), 400, 'E_VALIDATION'],
      [put(url, '{"status": 3}', 'application/json'), 400, 'E_VALIDATION'],
      [put(url, `Critical ${'x'.repeat(5000)}`), 413, 'E_BODY_TOO_LARGE'],
      [fetch(url, { method: 'POST', body: 'OK' }), 405, 'E_METHOD_NOT_ALLOWED'],
      [fetch(`${url}nope`), 404, 'E_NOT_FOUND'],
    ];
    for (const [reply, status, code] of cases) {
      const r = await reply;
      expect([r.status, ((await r.json()) as { code: string }).code]).toEqual([status, code]);
    }
    expect(await (await fetch(url)).json()).toEqual({ status: 'OK', message: 'demo service is up' });
  });

  it('stops on SIGTERM with exit 0', async () => {
    await startDemo();
    const proc = demo as ChildProcess;
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('a bad --port or --status exits 1 with one line naming it', async () => {
    const port = await megaphone(['demo', '--port', '70000']);
    expect([port.code, port.stderr]).toEqual([1, 'megaphone: --port must be a port number 0-65535, got "70000"\n']);
    const status = await megaphone(['demo', '--port', '0', '--status', 'very bad']);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/^megaphone: --status: the status must be a word like OK.*"very bad"\n$/);
  });
});
