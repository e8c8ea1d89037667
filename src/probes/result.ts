import type { Status } from '../status.js';
import type { Perfdatum } from './perfdata.js';
import { cut } from '../lib/cut.js';
import type { PeerCert } from '../tls/peer.js';

/** Longest message kept per result; longer ones are cut (and marked). */
export const MAX_MESSAGE_LENGTH = 4096;

/** What one poll found. Probes return this and never throw. */
export interface Result {
  status: Status;
  message: string;
  /** The body as received, when it was JSON: what GET /checks/:id serves. */
  payload?: string;
  /** The library's error code for transport failures (ECONNREFUSED, UND_ERR_...). */
  code?: string;
  httpStatus?: number;
  /** What a command check printed (stdout, capped at 4 KB). */
  output?: string;
  /** Nagios performance data parsed from a command's output. */
  perfdata?: Perfdatum[];
  /** TLS checks: the peer certificate of the connection the poll used. */
  tls?: PeerCert;
  latencyMs: number;
  /** Epoch milliseconds when the poll started. */
  at: number;
}

/** What a probe found, before the stopwatch adds when it started and how long it took. */
export type Finding = Omit<Result, 'latencyMs' | 'at'>;

/** Starts timing a poll now: the function it returns makes the poll's Result from what was found. */
export function stopwatch(now: () => number): (found: Finding) => Result {
  const at = now();
  const started = performance.now();
  return (found) => ({ ...found, latencyMs: Math.round(performance.now() - started), at });
}

export function clipMessage(message: string): string {
  return cut(message, MAX_MESSAGE_LENGTH);
}
