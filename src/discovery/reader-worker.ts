import { parentPort, workerData } from 'node:worker_threads';
import { procReader } from './reader.js';

// The worker side of workerReader(): answers table/ports requests from the daemon's thread.
const reader = procReader(undefined, (workerData as { excludePid: number }).excludePid);

parentPort?.on('message', (req: { id: number; op: 'table' } | { id: number; op: 'ports'; pids: number[] }) => {
  const work = req.op === 'table' ? reader.table() : reader.ports(req.pids);
  work.then(
    (value) => parentPort?.postMessage({ id: req.id, ok: true, value }),
    (err: unknown) =>
      parentPort?.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
