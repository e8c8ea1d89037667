import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { createHandler } from './api/handler.js';
import { Monitor } from './monitor.js';
import { Registry } from './registry/registry.js';
import { Scheduler } from './scheduler.js';
import { runProbe } from './probes/index.js';
import { compileTargetPolicy } from './security/targets.js';
import { createGuardedAgent } from './security/connect-guard.js';
import { resolveWritePolicy } from './security/write-auth.js';
import { createApiServer } from './security/api-server.js';
import { wireOperations } from './ops/wire.js';
import { dialectSections } from './ops/reload-dialects.js';
import { registerOpsMetrics } from './ops/metrics.js';
import type { ReloadOutcome } from './ops/reload.js';
import { DiscoveryRunner } from './discovery/runner.js';
import { compileRules } from './discovery/rules.js';
import { systemReader } from './discovery/reader.js';
import { compileConfigChecks } from './checks/config-checks.js';
import { refusedPaths } from './checks/refused-paths.js';
import { createDialects } from './dialects.js';
import { announceMaintenance } from './maintenance/announce.js';
import { startAgent, type AgentListener } from './integrations/haproxy-agent.js';

export interface DaemonOptions {
  config: Config;
  logger: Logger;
  now?: () => number;
  /** The environment (NOTIFY_SOCKET, WATCHDOG_USEC); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface Daemon {
  /** The port actually bound (useful with port 0). */
  port: number;
  host: string;
  /** Applies a new (already validated) config without a restart; see ops/wire.ts. */
  reload(config: Config): Promise<ReloadOutcome>;
  /** The HAProxy agent-check port, when `agent.port` is set. */
  agentPort?: number;
  close(): Promise<void>;
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Builds the real dependencies, loads the registry, starts polling and listens. */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const { config, logger } = opts;
  const now = opts.now ?? Date.now;
  const writePolicy = await resolveWritePolicy(config.auth);
  const targets = compileTargetPolicy(config.targets.allow);
  // One keep-alive pool for every poll, connecting only where targets.allow says; bodies are capped by the probe.
  const pollAgent = () => createGuardedAgent(targets, { keepAliveTimeout: 30_000, connections: 4, connectTimeout: config.defaults.timeout });
  let dispatcher = pollAgent();

  const scheduler = new Scheduler({
    concurrency: config.limits.concurrentPolls,
    onResult: (id, result) => monitor.onResult(id, result),
  });
  const monitor: Monitor = new Monitor({ scheduler, now, flap: config.flap, probe: (check, signal) => runProbe(check, signal, { dispatcher, now, targets }) });

  // History and notifications listen before any check starts.
  const ops = await wireOperations({ config, logger, now, monitor, env: opts.env ?? process.env, targets });
  ops.addReloadSection({
    name: 'targets',
    pick: (c) => c.targets,
    apply(next) {
      Object.assign(targets, compileTargetPolicy(next.targets.allow, targets.resolve));
      // Kept-alive sockets were checked when they opened: start a fresh pool so every poll is checked again.
      const old = dispatcher;
      dispatcher = pollAgent();
      void old.close().catch(() => undefined);
    },
  });
  ops.addReloadSection({
    name: 'auth',
    // A token file may have changed even when the config did not: re-read it on every reload.
    pick: (c) => (c.auth.tokenFile === undefined ? c.auth : Symbol('re-read')),
    async apply(next) {
      const policy = await resolveWritePolicy(next.auth);
      writePolicy.token = policy.token;
      writePolicy.requireTokenOnLoopback = policy.requireTokenOnLoopback;
    },
  });
  // Config checks first: a stored API registration with the same id is then left aside.
  for (const check of compileConfigChecks(config)) monitor.upsert(check);
  const discovery = new DiscoveryRunner({
    rules: compileRules(config.discovery.rules),
    intervalMs: config.discovery.interval,
    // A snapshot may take at most the interval (and 30 s at least) before the worker is replaced.
    reader: systemReader(Math.max(config.discovery.interval, 30_000)),
    monitor,
    defaults: config.defaults,
    maxChecks: config.limits.maxChecks,
    logger,
    now,
  });
  const registry = await Registry.open(config.dataFile, monitor, {
    defaults: config.defaults,
    maxChecks: config.limits.maxChecks,
    now,
    claimedBy: (id) => discovery.ownerOf(id),
    targets,
  });
  if (registry.shadowed.length > 0) logger.warn({ ids: registry.shadowed }, 'stored checks shadowed by config checks of the same id');
  logger.info({ dataFile: config.dataFile, checks: monitor.size, configChecks: config.checks.length }, 'registry loaded');
  for (const r of refusedPaths(monitor.all())) logger.warn(r, 'stored check has a jsonpath that is now refused: it stays Unknown until registered again');
  monitor.start();
  await discovery.start();
  if (config.discovery.rules.length > 0) logger.info({ rules: config.discovery.rules.length, checks: monitor.size }, 'discovery started');

  const dialects = createDialects({ config, monitor, store: registry, now });
  announceMaintenance(dialects.host.maintenance, monitor, now);
  for (const section of dialectSections(dialects, config.agent.weights, logger)) ops.addReloadSection(section);
  registerOpsMetrics(dialects.metrics.registry, ops);
  ops.addReloadSection({
    name: 'discovery',
    // Defaults only matter to discovery while it has rules.
    pick: (c) => (c.discovery.rules.length > 0 ? [c.discovery, c.defaults, c.limits.maxChecks] : [c.discovery]),
    apply: (next) => discovery.reconfigure({ rules: compileRules(next.discovery.rules), intervalMs: next.discovery.interval, defaults: next.defaults, maxChecks: next.limits.maxChecks }),
  });
  const server = createApiServer(createHandler({ monitor, registry, logger, now, dialects, discovery, history: ops.history, notifier: ops.notifier, writePolicy }), config.limits);
  let agent: AgentListener | undefined;
  try {
    if (config.agent.port !== undefined) {
      agent = await startAgent({ host: config.agent.host ?? config.listen.host, port: config.agent.port, weights: config.agent.weights, view: dialects.host, logger });
    }
    await listen(server, config.listen.host, config.listen.port);
  } catch (err) {
    await discovery.stop();
    monitor.stop();
    await agent?.close();
    dialects.close();
    scheduler.stop();
    await ops.close();
    await dispatcher.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  logger.info({ host: address.address, port: address.port }, 'listening');
  ops.ready(registry);

  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    host: address.address,
    reload: (next) => ops.reload(next),
    agentPort: agent?.port,
    close() {
      closing ??= (async () => {
        ops.stopping();
        await discovery.stop();
        monitor.stop();
        scheduler.stop();
        dialects.close();
        await agent?.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // Requests still running after this are cut off rather than holding up the exit.
          setTimeout(() => server.closeAllConnections(), 5_000).unref();
        });
        await registry.drain();
        await ops.close();
        await dispatcher.destroy();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}
