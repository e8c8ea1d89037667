import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { HostStatus, StatusView } from '../summary/host-view.js';
import { oneLine } from '../lib/one-line.js';
import type { Admission } from '../security/admission.js';
import { LISTEN_BACKLOG } from '../security/budgets.js';

/** Longest description after `#` (HAProxy shows it in its stats page and logs). */
export const MAX_AGENT_DESCRIPTION = 200;

export type AgentWeights = Config['agent']['weights'];

/**
 * The agent-check reply for a host summary (HAProxy doc/configuration.txt "agent-check").
 * `ready` always goes with `up`, so a drain the agent set earlier is undone by the agent.
 */
export function agentLine(summary: HostStatus, weights: AgentWeights): string {
  if (summary.maintenance) return `drain #${oneLine(summary.maintenance.reason, MAX_AGENT_DESCRIPTION)}\n`;
  switch (summary.status) {
    case 'Critical': {
      const first = summary.problems[0];
      const why = first ? `${first.id}:${first.status}:${first.message}` : summary.message;
      return `down #${oneLine(why, MAX_AGENT_DESCRIPTION)}\n`;
    }
    case 'Warning':
      return `up ready ${weights.Warning}%\n`;
    case 'Unknown':
      return `up ready ${weights.Unknown}%\n`;
    default:
      return `up ready ${weights.OK}%\n`;
  }
}

export interface AgentOptions {
  host: string;
  port: number;
  /** Read for every answer: a reload may change them. */
  weights: () => AgentWeights;
  /** The host's status: the answer when HAProxy names no group (or one that does not exist). */
  view: StatusView;
  /** A named group's status, for `agent-send "NAME\n"`; undefined when there is none. */
  group?: (name: string) => StatusView | undefined;
  /** Whether any group exists now: without one, nothing is waited for. */
  anyGroup?: () => boolean;
  /** How long to wait for HAProxy's `agent-send` line before answering for the host (ms); 0: never wait. */
  sendWaitMs?: number;
  /** The budgets: each connection is a socket and a held slot of its client's. */
  admission: Admission;
  logger: Logger;
}

export interface AgentListener {
  port: number;
  host: string;
  close(): Promise<void>;
}

/** How long a connection may wait for an `agent-send` line by default (HAProxy writes it at once). */
export const AGENT_SEND_WAIT_MS = 50;
/** Longest `agent-send` line read (a group name is at most 128 characters). */
const MAX_SEND_LINE = 256;
/** How long a connection stays open after its answer when the peer does not close it. */
export const AGENT_LINGER_MS = 250;
/** How long a connection may stay silent before its answer (agent.sendWait is at most 1 s). */
const AGENT_IDLE_MS = 5_000;

/**
 * Listens for HAProxy agent checks: each connection gets one line, then is closed (at most
 * AGENT_LINGER_MS later when the peer keeps it open). When HAProxy sends a line first
 * (`agent-send "web\n"`), the answer is for that group; when it sends nothing within `sendWaitMs`,
 * or names no group, the answer is for the host. Every connection counts against the admission
 * module's budgets (a socket, and a held slot of its client's); beyond them it is closed at once.
 */
export async function startAgent(opts: AgentOptions): Promise<AgentListener> {
  const cache = new WeakMap<StatusView, { version: number; weights: AgentWeights; line: Buffer }>();
  const lineFor = (view: StatusView) => {
    const weights = opts.weights();
    let hit = cache.get(view);
    if (!hit || hit.version !== view.summaryVersion || hit.weights !== weights) {
      hit = { version: view.summaryVersion, weights, line: Buffer.from(agentLine(view.summary(), weights)) };
      cache.set(view, hit);
    }
    return hit.line;
  };
  const sendWaitMs = opts.group ? (opts.sendWaitMs ?? AGENT_SEND_WAIT_MS) : 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    // HAProxy may reset the connection right after reading the line; that is not an error.
    socket.on('error', () => undefined);
    if (!opts.admission.admitSocket(socket) || !opts.admission.take(socket, 'agent').ok) return void socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A silent peer is cut off.
    socket.setTimeout(AGENT_IDLE_MS, () => socket.destroy());
    const waitMs = opts.anyGroup === undefined || opts.anyGroup() ? sendWaitMs : 0;
    let answered = false;
    let sent = '';
    const answer = (name: string) => {
      if (answered) return;
      answered = true;
      clearTimeout(grace);
      socket.off('data', onData);
      socket.resume();
      const wanted = name.trim();
      socket.end(lineFor((wanted !== '' && opts.group?.(wanted)) || opts.view));
      // Answered: a peer that keeps the connection open is not waited for (its slot goes back on close).
      const linger = setTimeout(() => socket.destroy(), AGENT_LINGER_MS).unref();
      socket.once('close', () => clearTimeout(linger));
    };
    const onData = (chunk: Buffer) => {
      sent += chunk.toString('latin1');
      const eol = sent.search(/[\r\n]/);
      if (eol >= 0) answer(sent.slice(0, eol));
      else if (sent.length > MAX_SEND_LINE) answer('');
    };
    const grace = waitMs > 0 ? setTimeout(() => answer(sent), waitMs) : undefined;
    if (waitMs <= 0) return answer('');
    socket.on('data', onData);
    socket.once('end', () => answer(sent));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  opts.logger.info({ host: address.address, port: address.port }, 'haproxy agent listening');
  return {
    port: address.port,
    host: address.address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
