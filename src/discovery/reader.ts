import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { REAL_PROC, readProcessTable, type ProcessInfo, type ProcSource } from './proc.js';
import { portsOf, readListeningSockets, type DeniedAccess, type PortsResult } from './ports.js';
import { socketMountId } from './fdinfo.js';
import { deniedHint } from './permission.js';

/** Reads the process table and listening ports. The runner is handed one (pass dependencies in). */
export interface ProcReader {
  table(): Promise<ProcessInfo[]>;
  /** Listening TCP ports of each pid (one read of /proc/net/tcp{,6} for all). */
  ports(pids: number[]): Promise<Map<number, PortsResult>>;
  /** Stops a worker, if any. */
  close?(): Promise<void>;
}

/** Reads /proc on the calling thread in small batches that yield to the event loop between them. */
export function procReader(src: ProcSource = REAL_PROC, excludePid = process.pid): ProcReader {
  // Found once: neither the sockfs mount nor megaphone's capabilities change while it runs.
  let access: Promise<DeniedAccess> | undefined;
  const deniedAccess = () =>
    (access ??= socketMountId(src.procRoot).then((socketMountId) => ({
      socketMountId,
      hint: deniedHint(src.procRoot),
    })));
  return {
    table: () => readProcessTable(src, excludePid),
    async ports(pids) {
      if (pids.length === 0) return new Map();
      const listening = readListeningSockets(src.procRoot);
      const denied = await deniedAccess();
      return new Map(pids.map((pid) => [pid, portsOf(pid, listening, src.procRoot, denied)]));
    },
  };
}

type RequestBody = { op: 'table' } | { op: 'ports'; pids: number[] };
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/**
 * Reads /proc in a worker thread: the daemon's event loop pays only for the structured clone of
 * the answer, and a /proc read that blocks (a process stuck holding its mm lock) cannot freeze
 * GET /. A call not answered within `timeoutMs` fails and the worker is replaced. Running from
 * TypeScript sources (tsx, vitest) there is no built worker file: it reads on the calling thread.
 */
export function workerReader(timeoutMs: number, excludePid = process.pid): ProcReader {
  if (import.meta.url.endsWith('.ts')) return procReader(REAL_PROC, excludePid);
  const file = new URL('./reader-worker.js', import.meta.url);
  let worker: Worker | undefined;
  let seq = 0;
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();

  const abandon = (w: Worker, err: Error) => {
    if (worker === w) worker = undefined;
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(err);
      pending.delete(id);
    }
    void w.terminate();
  };
  const start = (): Worker => {
    const w = new Worker(file, { workerData: { excludePid } });
    w.unref();
    w.on('message', (reply: Reply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      clearTimeout(p.timer);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new Error(reply.error));
    });
    w.on('error', (err) => abandon(w, err));
    w.on('exit', (code) => abandon(w, new Error(`process-table worker exited with code ${code}`)));
    return w;
  };
  const call = (req: RequestBody): Promise<unknown> => {
    const w = (worker ??= start());
    const id = ++seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => abandon(w, new Error(`reading /proc took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      timer.unref();
      pending.set(id, { resolve, reject, timer });
      w.postMessage({ ...req, id });
    });
  };
  return {
    table: () => call({ op: 'table' }) as Promise<ProcessInfo[]>,
    ports: (pids) => call({ op: 'ports', pids }) as Promise<Map<number, PortsResult>>,
    // Fails pending calls at once; a thread stuck in a read is left to die with the process.
    async close() {
      if (worker) abandon(worker, new Error('process-table reader closed'));
    },
  };
}

/** Without /proc (macOS, BSD): ps-list's table; `{port}` cannot be read, so such checks wait. */
export function psListReader(excludePid = process.pid): ProcReader {
  return {
    async table() {
      const { default: psList } = await import('ps-list');
      return (await psList())
        .filter((p) => p.pid !== excludePid)
        .map((p) => ({
          pid: p.pid,
          ppid: p.ppid,
          name: p.name,
          comm: p.name,
          cmd: p.cmd ?? '',
          uid: p.uid ?? -1,
          user: String(p.uid ?? ''),
          startTicks: p.startTime?.getTime() ?? 0,
        }));
    },
    ports: async (pids) =>
      new Map(pids.map((pid) => [pid, { error: 'listening ports are read from /proc (Linux only)' }])),
  };
}

/** The reader for this machine: /proc in a worker thread on Linux, else ps-list. */
export function systemReader(timeoutMs: number): ProcReader {
  return existsSync('/proc/self/stat') ? workerReader(timeoutMs) : psListReader();
}
