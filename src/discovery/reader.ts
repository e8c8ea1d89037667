import { REAL_PROC, readProcessTable, type ProcessInfo, type ProcSource } from './proc.js';
import { portsOf, readListeningSockets, type PortsResult } from './ports.js';

/** Reads the process table and listening ports. The runner is handed one (pass dependencies in). */
export interface ProcReader {
  table(): Promise<ProcessInfo[]>;
  /** Listening TCP ports of each pid (one read of /proc/net/tcp{,6} for all). */
  ports(pids: number[]): Promise<Map<number, PortsResult>>;
}

/** Reads /proc on the calling thread in small batches that yield to the event loop between them. */
export function procReader(src: ProcSource = REAL_PROC, excludePid = process.pid): ProcReader {
  return {
    table: () => readProcessTable(src, excludePid),
    async ports(pids) {
      const listening = readListeningSockets(src.procRoot);
      return new Map(pids.map((pid) => [pid, portsOf(pid, listening, src.procRoot)]));
    },
  };
}
