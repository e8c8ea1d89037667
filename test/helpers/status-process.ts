import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const STATUS_SERVICE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/status-service.mjs');

/** A token for this test run's command lines, so no other engineer's processes ever match a rule. */
export const runToken = () => `mgtok${randomBytes(6).toString('hex')}`;

export interface StatusProcess {
  proc: ChildProcess;
  pid: number;
  /** Resolves with the port once the process listens. */
  listening: Promise<number>;
  kill(): Promise<void>;
}

/** Spawns test/fixtures/status-service.mjs with `token` on its command line (a real process, port 0). */
export function spawnStatusProcess(token: string, opts: { delayMs?: number } = {}): StatusProcess {
  const args = [STATUS_SERVICE, token, ...(opts.delayMs ? ['--delay', String(opts.delayMs)] : [])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const listening = new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { port: number }).port);
    });
    void exited.then(() => reject(new Error('status process exited before listening')));
  });
  listening.catch(() => {});
  return {
    proc,
    pid: proc.pid!,
    listening,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
