import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { HostStatus, HostView } from '../summary/host-view.js';
import { oneLine } from '../lib/one-line.js';

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
  view: HostView;
  logger: Logger;
}

export interface AgentListener {
  port: number;
  host: string;
  close(): Promise<void>;
}

/** Listens for HAProxy agent checks: each connection gets one line, then is closed. */
export async function startAgent(opts: AgentOptions): Promise<AgentListener> {
  let version = -1;
  let weights: AgentWeights | undefined;
  let line = Buffer.alloc(0);
  const current = () => {
    const w = opts.weights();
    if (opts.view.version !== version || w !== weights) {
      version = opts.view.version;
      weights = w;
      line = Buffer.from(agentLine(opts.view.summary(), w));
    }
    return line;
  };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // HAProxy may reset the connection right after reading the line; that is not an error.
    socket.on('error', () => undefined);
    // Whatever HAProxy sends (agent-send) is ignored; a silent peer is cut off.
    socket.setTimeout(5_000, () => socket.destroy());
    socket.resume();
    socket.end(current());
  });
  // One line per connection is cheap, but a flood must not exhaust file descriptors.
  server.maxConnections = 512;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
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
