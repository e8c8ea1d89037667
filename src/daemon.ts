import http from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { createMegaphone, type Megaphone, type MegaphoneDeps } from './megaphone.js';
import { createGuardedAgent } from './security/connect-guard.js';
import { defaultResolve } from './security/targets.js';
import { createApiServer } from './security/api-server.js';
import { readOpenFileLimit } from './security/open-files.js';
import { LISTEN_BACKLOG } from './security/budgets.js';
import { systemReader } from './discovery/reader.js';
import { fileStorage } from './storage/file.js';
import { startAgent, type AgentListener } from './integrations/haproxy-agent.js';
import { systemdNotifier } from './ops/systemd-notify.js';
import type { ReloadOutcome } from './reload.js';

/** The real dependencies for a config: files on disk, DNS, guarded connection pools, /proc. */
export function realDeps(config: Config, logger: Logger): MegaphoneDeps {
  return {
    logger,
    now: Date.now,
    random: Math.random,
    storage: fileStorage(config.dataFile),
    resolve: defaultResolve,
    dispatcher: (targets, use, secure) =>
      use === 'polls'
        ? // One keep-alive pool for every poll (and one per TLS profile); bodies are capped by the probe.
          createGuardedAgent(targets, {
            keepAliveTimeout: 30_000,
            connections: 4,
            connectTimeout: config.defaults.timeout,
            secure,
          })
        : // Webhooks get their own pool: a hanging receiver must not hold connections that polls need.
          createGuardedAgent(targets, { keepAliveTimeout: 10_000, connections: 2, connectTimeout: 5_000 }),
    processReader: systemReader,
    hostname: hostname(),
    openFiles: readOpenFileLimit(),
  };
}

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  /** Replaces some real dependencies (the clock, say). */
  deps?: Partial<MegaphoneDeps>;
  /** The environment (NOTIFY_SOCKET, WATCHDOG_USEC); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface Daemon {
  /** The port actually bound (useful with port 0). */
  port: number;
  host: string;
  /** The HAProxy agent-check port, when `agent.port` is set. */
  agentPort?: number;
  megaphone: Megaphone;
  /** Applies a new (already validated) config without a restart. */
  reload(config: Config): Promise<ReloadOutcome>;
  close(): Promise<void>;
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** megaphone with the real dependencies, listening: the API, the agent, and systemd readiness. */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const { config, logger } = opts;
  const megaphone = await createMegaphone(config, { ...realDeps(config, logger), ...opts.deps });
  const systemd = systemdNotifier(opts.env ?? process.env, logger);
  const server = createApiServer(megaphone.handler, config.limits, megaphone.admission);
  let agent: AgentListener | undefined;
  try {
    await megaphone.start();
    if (config.agent.port !== undefined) {
      agent = await startAgent({
        host: config.agent.host ?? config.listen.host,
        port: config.agent.port,
        weights: megaphone.agentWeights,
        view: megaphone.host,
        group: (name) => megaphone.groups.get(name),
        anyGroup: () => !megaphone.groups.all().next().done,
        sendWaitMs: config.agent.sendWait,
        admission: megaphone.admission,
        logger,
      });
    }
    await listen(server, config.listen.host, config.listen.port);
  } catch (err) {
    await agent?.close();
    await megaphone.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  logger.info({ host: address.address, port: address.port }, 'listening');
  systemd.ready();

  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    host: address.address,
    agentPort: agent?.port,
    megaphone,
    reload: (next) => megaphone.reload(next),
    close() {
      closing ??= (async () => {
        systemd.stopping();
        megaphone.endHeld();
        await agent?.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // Requests still running after this are cut off rather than holding up the exit.
          setTimeout(() => server.closeAllConnections(), 5_000).unref();
        });
        await megaphone.close();
        systemd.close();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}
