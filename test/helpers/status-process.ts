import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const STATUS_SERVICE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/status-service.mjs',
);

/** A token for this test run's command lines, so no other engineer's processes ever match a rule. */
export const runToken = () => `mgtok${randomBytes(6).toString('hex')}`;

export interface StatusProcess {
  proc: ChildProcess;
  pid: number;
  /** Resolves with the port once the process listens. */
  listening: Promise<number>;
  /** Resolves once the process runs (with waitSignal: before it listens). */
  ready: Promise<void>;
  /** With waitSignal: tells the process to listen now. */
  listen(): void;
  kill(): Promise<void>;
}

/** Spawns test/fixtures/status-service.mjs with `token` on its command line (a real process, port 0). */
export function spawnStatusProcess(token: string, opts: { waitSignal?: boolean } = {}): StatusProcess {
  const args = [STATUS_SERVICE, token, ...(opts.waitSignal ? ['--wait-signal'] : [])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let out = '';
  const lines = () => out.split('\n').slice(0, -1);
  const seen = (pred: (line: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = lines().find(pred);
        if (line !== undefined) resolve(line);
      };
      proc.stdout!.on('data', check);
      void exited.then(() => reject(new Error('status process exited early')));
    });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const listening = seen((l) => l.startsWith('{')).then((l) => (JSON.parse(l) as { port: number }).port);
  const ready = seen(() => true).then(() => {});
  listening.catch(() => {});
  ready.catch(() => {});
  return {
    proc,
    pid: proc.pid!,
    listening,
    ready,
    listen: () => proc.kill('SIGUSR1'),
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
