import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { createHandler, type Handler } from './api/handler.js';
import { Negotiator, negotiatorsByView } from './api/negotiate.js';
import { DEFAULT_REPRESENTATIONS } from './api/representations.js';
import { listenersFeature } from './api/server-feature.js';
import { configChecksFeature } from './checks/config-checks-feature.js';
import type { Config } from './config/schema.js';
import { discoveryFeature } from './discovery/feature.js';
import type { ProcReader } from './discovery/reader.js';
import type { Feature } from './feature.js';
import { historyFeature } from './history/feature.js';
import { ChangeFeed } from './feed/change-feed.js';
import { FeedWatcher } from './feed/watcher.js';
import { EventStreams } from './feed/streams.js';
import { groupsFeature } from './groups/feature.js';
import { Metrics } from './integrations/metrics.js';
import { notifyFeature } from './integrations/notify/feature.js';
import { registerOpsMetrics } from './integrations/ops-metrics.js';
import { transitionLogFeature } from './ops/transition-log.js';
import { maintenanceFeature } from './maintenance/feature.js';
import type { ProbeFn } from './polling/feed.js';
import { pollingFeature } from './polling/feature.js';
import { registrationsFeature } from './registrations/feature.js';
import { DataFile } from './registrations/data-file.js';
import { PendingWrites } from './registrations/pending.js';
import { Reloader, type ReloadOutcome } from './reload.js';
import { securityFeature } from './security/feature.js';
import { admissionFeature } from './security/admission-feature.js';
import { registerAdmissionMetrics } from './integrations/admission-metrics.js';
import { silencesFeature } from './silences/feature.js';
import type { ResolveAll, TargetPolicy } from './security/targets.js';
import { loggedStorage } from './storage/logged.js';
import type { Storage, StorageLock } from './storage/types.js';
import type { WritePolicy } from './security/write-auth.js';
import { HostSummary } from './summary/host-summary.js';
import { HostView } from './summary/host-view.js';
import { CheckTable } from './table/check-table.js';
import { connectionsFeature } from './tls/connections.js';
import type { GuardedTls } from './security/connect-guard.js';
import { createEventBus } from './table/events.js';

/** Everything megaphone takes from the outside world; the daemon passes the real ones, tests their own. */
export interface MegaphoneDeps {
  logger: Logger;
  /** The clock (epoch ms). */
  now: () => number;
  /** 0 ≤ x < 1: poll jitter and the spread of the first round. */
  random: () => number;
  /** Where the data file, its journal and the history live (files; memory or faults in tests). */
  storage: Storage;
  /** DNS: every address of a host name (registration and connect time). */
  resolve: ResolveAll;
  /** A keep-alive pool that connects only where the policy allows: for polls (per TLS profile), for webhooks. */
  dispatcher: (targets: TargetPolicy, use: 'polls' | 'webhooks', tls?: GuardedTls) => Dispatcher;
  /** Reads the process table for discovery; `timeoutMs` bounds one snapshot. */
  processReader: (timeoutMs: number) => ProcReader;
  /** Shown on the status page and in notifications. */
  hostname: string;
  /** Replaces running the real probes (e.g. one that never answers). */
  probe?: ProbeFn;
  /** The address a request comes from, for write access; default the socket's. */
  peerAddress?: WritePolicy['peerAddress'];
  /** The process's open-file limit, which the connection budgets are derived from (security/budgets.ts). */
  openFiles: number;
}

/** A built megaphone: a request handler and its parts. It never listens (the daemon does). */
export type Megaphone = Awaited<ReturnType<typeof createMegaphone>>;

/**
 * The composition root: builds every part of megaphone from the config and its dependencies, in
 * the order data flows (sources of checks → check table → polling → summary → API and integrations).
 * Throws ConfigError/StorageError when the config or the data file cannot be used, or when another
 * megaphone holds the data file (its lock is released when this one closes, or fails to start).
 */
export async function createMegaphone(config: Config, deps: MegaphoneDeps) {
  // Every failed storage operation is logged with its file and errno, whoever asked for it.
  const storage = loggedStorage(deps.storage, deps.logger, deps.now);
  // Before anything is read: one megaphone per data file, its journal and history included.
  const lock = await storage.lock();
  try {
    return await build(config, { ...deps, storage }, lock);
  } catch (err) {
    await lock.release().catch(() => undefined);
    throw err;
  }
}

async function build(config: Config, deps: MegaphoneDeps, lock: StorageLock) {
  const { logger, now } = deps;
  // A data file that cannot be written stops start-up here, naming the path and the cause.
  await deps.storage.checkWritable();
  // The data file is read before anything else touches the disk: a bad one stops start-up leaving no new file.
  const data = await DataFile.open(deps.storage);
  const bus = createEventBus();
  const table = new CheckTable(bus, now);
  // Writes queued to the data file: every write validates against the table plus these (one writer's view).
  const pending = new PendingWrites(table);
  const features: Feature[] = [];
  const use = <F extends Feature>(feature: F): F => {
    features.push(feature);
    return feature;
  };

  use(listenersFeature);
  const admission = use(admissionFeature({ config, openFiles: deps.openFiles, logger })).admission;
  const security = use(
    await securityFeature({
      config,
      resolve: deps.resolve,
      peerAddress: deps.peerAddress,
      onTargets: () => polling.refreshDispatcher(),
    }),
  );
  // Before any check arrives: it logs `tls.insecure` checks and releases the connections of removed ones.
  const probeConnections = use(
    connectionsFeature({ config, bus, logger, dispatcher: (tls) => deps.dispatcher(security.targets, 'polls', tls) }),
  );
  const polling = use(
    pollingFeature({
      config,
      table,
      bus,
      targets: security.targets,
      dispatcher: (t) => deps.dispatcher(t, 'polls', probeConnections.mainTls),
      connections: probeConnections.connections,
      probe: deps.probe,
      now,
      random: deps.random,
    }),
  );
  const blocking = {
    blockedBy: (id: string) => {
      const state = table.get(id);
      return state ? table.blockedBy(state) : [];
    },
    dependentsOf: (id: string) => table.dependentsOf(id),
  };
  const summary = new HostSummary(bus, now, () => polling.sweeper.sweepIfDue(), blocking);
  // History and notifications listen before any check arrives.
  // One index for every change served (history entries, ETags, blocking queries), growing across restarts.
  const feed = new ChangeFeed(now());
  const history = use(
    await historyFeature({ config, log: deps.storage.log('history'), bus, logger, now, nextIndex: () => feed.next() }),
  ).history;
  feed.atLeast(history.lastIndex + 1);
  // Open /events streams: each new history entry goes to all of them.
  const streams = new EventStreams(history);
  const notify = use(
    notifyFeature({
      config,
      bus,
      dispatcher: deps.dispatcher(security.targets, 'webhooks'),
      logger,
      now,
      hostname: deps.hostname,
      currentMessage: (check) => (check === null ? host.summary().message : table.get(check)?.message),
      checks: {
        get(id) {
          const s = table.get(id);
          return s && { status: s.status, message: s.message, silenced: s.silence !== undefined };
        },
        blockedBy: blocking.blockedBy,
        dependentsOf: blocking.dependentsOf,
      },
    }),
  );
  // The data file (opened above): API registrations, push reports, silences, maintenance.
  use({ name: 'data file', sections: [{ key: 'dataFile', pick: (c) => c.dataFile }], close: () => data.close() });
  // Silences first: each check takes its silence as it arrives.
  const silences = use(
    silencesFeature({ config, data, table, bus, now, logger, holds: (id) => pending.holds(id) }),
  ).silences;
  // Sources of checks: the config file first, then the API's stored checks, then discovery.
  use(configChecksFeature(config, table, logger, pending.graph));
  const discovery = discoveryFeature({
    config,
    table,
    reader: deps.processReader,
    logger,
    now,
    pending,
  });
  const registrations = use(
    registrationsFeature({
      config,
      data,
      table,
      pending,
      thresholds: polling.thresholds,
      targets: () => security.targets,
      claimedBy: (id) => discovery.runner.ownerOf(id),
      now,
      logger,
      materials: probeConnections.connections.materials,
    }),
  );
  use(discovery);
  logger.info({ dataFile: config.dataFile, checks: table.size, configChecks: config.checks.length }, 'registry loaded');
  const maintenance = use(maintenanceFeature({ store: data, checks: summary, bus, now })).maintenance;
  const host = new HostView(summary, maintenance, table);
  const freshen = () => polling.sweeper.sweepIfDue();
  const groups = use(
    groupsFeature({ config, table, bus, maintenance, freshen, blocking, reconfigured: () => watcher.regroup() }),
  ).groups;
  const watcher = new FeedWatcher(feed, bus, maintenance, host, groups);
  use(transitionLogFeature({ bus, maintenance, logger, now }));

  // What readers see: GET / in each representation, the agent, /metrics.
  let live = { http: config.http, agentWeights: config.agent.weights };
  use({
    name: 'dialects',
    sections: [
      { key: 'http', pick: (c) => c.http, apply: (next) => void (live = { ...live, http: next.http }) },
      {
        key: 'agent.weights',
        pick: (c) => c.agent.weights,
        apply: (next) => void (live = { ...live, agentWeights: next.agent.weights }),
      },
    ],
  });
  const metrics = new Metrics({ host, table, bus, groups });
  registerOpsMetrics(metrics.registry, { notifier: notify.notifier, history, feed, streams: () => streams.size });
  registerAdmissionMetrics(metrics.registry, admission);
  use({ name: 'metrics', close: () => metrics.close() });
  const representations = DEFAULT_REPRESENTATIONS;
  const closers = new Set<() => void>();
  closers.add(() => streams.close());
  const handler: Handler = createHandler({
    table,
    freshen,
    checks: registrations.api,
    host,
    http: () => live.http,
    representations,
    negotiator: new Negotiator(host, now, representations),
    negotiatorFor: negotiatorsByView(now, representations),
    maintenance,
    silences,
    groups,
    feed,
    watcher,
    streams,
    random: deps.random,
    admission,
    onClose: (fn) => void closers.add(fn),
    metrics,
    history,
    discovery: discovery.runner,
    writePolicy: security.writePolicy,
    logger,
    now,
    hostname: deps.hostname,
  });

  const reloader = new Reloader(
    features.flatMap((f) => f.sections ?? []),
    config,
    logger,
  );
  let closing: Promise<void> | undefined;
  // Held requests (blocking queries) and event streams answer now, so a server can close.
  const endHeld = () => {
    for (const fn of closers) fn();
    feed.wakeAll();
  };
  return {
    handler,
    /** Ends held requests and event streams (before the daemon closes its server). */
    endHeld,
    /** Starts polling, the staleness sweep and discovery (its first snapshot is applied before this resolves). */
    async start(): Promise<void> {
      // What was loaded is the baseline: from now on host transitions are announced.
      summary.begin();
      for (const f of features) await f.start?.();
      // Every source has loaded its checks: a stored silence without one died with it.
      silences.forgetOrphans();
    },
    /** Applies a new (already validated) config; see ReloadSection. */
    reload: (next: Config): Promise<ReloadOutcome> => reloader.reload(next),
    /** Stops everything and waits for pending writes. */
    close(): Promise<void> {
      closing ??= (async () => {
        endHeld();
        try {
          // Producers of changes stop first, so nothing reaches a closed store or journal.
          const first = [discovery, polling];
          for (const f of first) await f.close?.();
          for (const f of [...features].reverse()) if (!first.includes(f as never)) await f.close?.();
        } finally {
          // Last: another megaphone may take the data file only once everything is on disk.
          await lock.release().catch(() => undefined);
        }
      })();
      return closing;
    },
    bus,
    table,
    summary,
    host,
    scheduler: polling.scheduler,
    sweeper: polling.sweeper,
    thresholds: polling.thresholds,
    checks: registrations.api,
    data,
    maintenance,
    silences,
    groups,
    feed,
    history,
    notifier: notify.notifier,
    metrics,
    discovery: discovery.runner,
    targets: security.targets,
    /** TLS material, https pools per TLS profile, gRPC channels. */
    connections: probeConnections.connections,
    /** The budgets of sockets and long-lived holders; the daemon's listeners admit through it. */
    admission,
    reloader,
    agentWeights: () => live.agentWeights,
  };
}
