import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist/cli.js');
/** The Node flags every start of megaphone uses (package.json `megaphone.nodeFlags`): tests run that runtime too. */
export const NODE_FLAGS: string[] = (
  JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { megaphone: { nodeFlags: string[] } }
).megaphone.nodeFlags;

export interface RunningDaemon {
  proc: ChildProcess;
  port: number;
  url: string;
  dir: string;
  configFile: string;
  /** Everything written to stdout so far (pino JSON lines). */
  logs(): string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill9(): Promise<void>;
}

/**
 * Spawns the built daemon (dist/cli.js) with `config` written to a temp file, on port 0 unless
 * the config says otherwise, and waits for its "listening" log line.
 */
export async function spawnDaemon(
  config: Record<string, unknown> = {},
  opts: { dir?: string; args?: string[]; env?: NodeJS.ProcessEnv; wrap?: string[] } = {},
): Promise<RunningDaemon> {
  const dir = opts.dir ?? tempDir('megaphone-e2e-');
  const configFile = path.join(dir, 'megaphone.conf.json');
  writeFileSync(configFile, JSON.stringify({ listen: { host: '127.0.0.1', port: 0 }, ...config }, null, 2));
  const argv = [process.execPath, ...NODE_FLAGS, CLI, 'serve', '--config', configFile, ...(opts.args ?? [])];
  // wrap: a command that runs the daemon (setpriv, unshare …), given the daemon's argv.
  const [file, ...args] = [...(opts.wrap ?? []), ...argv];
  const proc = spawn(file!, args, {
    cwd: dir,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`daemon did not start in time\nstdout: ${out}\nstderr: ${err}`)),
      15_000,
    );
    const onData = () => {
      for (const line of out.split('\n')) {
        if (!line.includes('"listening"')) continue;
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        resolve((JSON.parse(line) as { port: number }).port);
        return;
      }
    };
    proc.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code}\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    dir,
    configFile,
    logs: () => out,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** One request to a running daemon with an optional JSON body: its status and JSON body (`{}` when empty). */
export async function call(
  d: RunningDaemon,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${d.url}${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
