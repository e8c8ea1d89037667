import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { CommandCheck } from '../checks/definition.js';
import type { Status } from '../status.js';
import { formatDuration } from '../lib/duration.js';
import { parsePluginOutput } from './perfdata.js';
import { clipMessage, stopwatch, type Finding, type Result } from './result.js';

/** Most bytes of a plugin's stdout (and, separately, stderr) kept per run (4 KB, as Consul). */
export const MAX_OUTPUT_BYTES = 4096;

// The Nagios plugin API: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; anything else is UNKNOWN.
const EXIT_STATUS: Record<number, Status> = { 0: 'OK', 1: 'Warning', 2: 'Critical', 3: 'Unknown' };

function capture(stream: Readable): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  // Keep draining past the cap so a chatty plugin never blocks on a full pipe.
  stream.on('data', (chunk: Buffer) => {
    if (size >= MAX_OUTPUT_BYTES) return;
    const part = chunk.subarray(0, MAX_OUTPUT_BYTES - size);
    chunks.push(part);
    size += part.length;
  });
  stream.on('error', () => undefined);
  return () => Buffer.concat(chunks).toString('utf8');
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    // The plugin leads its own process group (detached): this reaches every helper it started.
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Runs a Nagios plugin without a shell; on timeout the whole process group is killed. Never throws. */
export function probeCommand(check: CommandCheck, signal: AbortSignal, now: () => number): Promise<Result> {
  const done = stopwatch(now);
  const [file, ...args] = check.command as [string, ...string[]];
  return new Promise<Result>((resolve) => {
    let settled = false;
    const finish = (r: Finding) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(done(r));
    };
    const child = spawn(file, args, { shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = capture(child.stdout);
    const stderr = capture(child.stderr);
    const onAbort = () => {
      killGroup(child.pid);
      child.stdout.destroy();
      child.stderr.destroy();
      const timedOut = (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
      finish({
        status: 'Critical',
        message: timedOut ? `timed out after ${formatDuration(check.timeoutMs)}` : 'poll cancelled',
        code: timedOut ? 'ETIMEOUT' : 'ECANCELLED',
        output: stdout(),
      });
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err: NodeJS.ErrnoException) => {
      finish({
        status: 'Unknown',
        message: `cannot run ${file}: ${err.code ?? err.message}`,
        code: err.code ?? 'ESPAWN',
      });
    });
    // Helpers left behind by the plugin would hold its pipes open: reap the group once it exits.
    child.once('exit', () => killGroup(child.pid));
    child.once('close', (code: number | null, sig: NodeJS.Signals | null) => {
      const out = stdout();
      const { message, perfdata } = parsePluginOutput(out || stderr());
      const status: Status = code === null ? 'Unknown' : (EXIT_STATUS[code] ?? 'Unknown');
      const why = code === null ? `killed by ${sig}` : EXIT_STATUS[code] === undefined ? `exit code ${code}` : '';
      const text = why ? (message ? `${why}: ${message}` : why) : message;
      finish({ status, message: clipMessage(text), output: out, ...(perfdata.length > 0 ? { perfdata } : {}) });
    });
  });
}
