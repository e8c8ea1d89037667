import type { Config } from '../config/schema.js';

/**
 * Every bound on what clients hold open, in one place (STYLE 15): the admission module enforces
 * them on every socket and every long-lived holder (a held blocking query, an /events stream, an
 * agent connection, a request body still arriving).
 */
export interface Budgets {
  /** Open sockets per client (`limits.connectionsPerClient`); the oldest idle one makes room for a new one. */
  connectionsPerClient: number;
  /** Long-lived holders per client (`limits.heldPerClient`): beyond, 429. */
  heldPerClient: number;
  /** Open sockets in all, API and agent (`limits.connections`): the heaviest client's oldest idle one makes room. */
  connections: number;
  /** Long-lived holders in all (`limits.heldTotal`): beyond, 503. Below `connections`: the rest is headroom. */
  heldTotal: number;
  /** Open /events streams in all (each may buffer up to MAX_BUFFERED): beyond, 503. */
  streams: number;
}

/** Most /events streams at once (each buffers at most 256 KB for a slow reader: 256 MB in all). */
export const MAX_STREAMS = 1000;
/** Fewest sockets megaphone counts on, however low the open-file limit. */
const MIN_CONNECTIONS = 64;
/** Seconds a refused holder is told to wait (`Retry-After`). */
export const RETRY_AFTER_S = 5;
/**
 * How long a client whose connection was closed for pipelining behind a held request may not
 * connect: 1 s, doubled for each flood that follows within twice the last wait, up to 1 min.
 */
export const PIPELINING_COOLDOWN_MS = 1000;
export const PIPELINING_COOLDOWN_MAX_MS = 60_000;
/** Connections the kernel queues for megaphone to accept (a burst must not drop a balancer's SYN); ≤ somaxconn. */
export const LISTEN_BACKLOG = 4096;

/**
 * File descriptors kept for everything but API and agent sockets: data file, journals, logs, the
 * discovery worker (256), and the poller's sockets (one in flight and one kept alive per poll).
 */
export const reservedFds = (limits: Config['limits']) => 256 + 2 * limits.concurrentPolls;

/** Sockets never given to holders: what plain `GET /` (the load balancers) always finds. */
export const headroomOf = (connections: number) => Math.max(16, Math.floor(connections / 8));

/**
 * The budgets for `limits` in a process that may open `openFiles` files: `connections` and
 * `heldTotal` default to what the open-file limit leaves, `heldPerClient` to half a client's
 * sockets; each is cut to leave room for plain requests when configured higher (said in `notes`, for the log).
 */
export function budgetsFor(limits: Config['limits'], openFiles: number): { budgets: Budgets; notes: string[] } {
  const notes: string[] = [];
  const perClient = limits.connectionsPerClient;
  let heldPerClient = limits.heldPerClient ?? Math.floor(perClient / 2);
  if (heldPerClient >= perClient) {
    notes.push(
      `limits.heldPerClient ${heldPerClient} leaves no room below limits.connectionsPerClient: ${perClient - 1}`,
    );
    heldPerClient = perClient - 1;
  }
  const room = Math.max(MIN_CONNECTIONS, openFiles - reservedFds(limits));
  let connections = limits.connections ?? room;
  if (connections > room) {
    notes.push(`limits.connections ${connections} is more than the open-file limit (${openFiles}) allows: ${room}`);
    connections = room;
  }
  const most = connections - headroomOf(connections);
  let heldTotal = limits.heldTotal ?? Math.floor((connections * 3) / 4);
  if (heldTotal > most) {
    notes.push(`limits.heldTotal ${heldTotal} leaves no headroom below ${connections} connections: ${most}`);
    heldTotal = most;
  }
  return {
    budgets: {
      connectionsPerClient: perClient,
      heldPerClient,
      connections,
      heldTotal,
      streams: MAX_STREAMS,
    },
    notes,
  };
}
