import type { Dispatcher } from 'undici';
import type { Config } from '../config/schema.js';
import type { Feature } from '../feature.js';
import { runProbe } from '../probes/index.js';
import { DnsResolvers } from '../probes/dns.js';
import type { TargetPolicy } from '../security/targets.js';
import type { CheckTable } from '../table/check-table.js';
import type { EventBus } from '../table/events.js';
import { StalenessSweeper } from '../table/sweeper.js';
import { Thresholds } from '../table/thresholds.js';
import { PollFeed, type ProbeFn } from './feed.js';
import { Scheduler } from './scheduler.js';
import type { ProbeConnections } from '../tls/connections.js';

export interface PollingDeps {
  config: Config;
  table: CheckTable;
  bus: EventBus;
  targets: TargetPolicy;
  /** Builds the keep-alive pool polls go through; it must connect only where `targets` allows. */
  dispatcher: (targets: TargetPolicy) => Dispatcher;
  /** Replaces running the real probe of a check (the default uses `dispatcher`). */
  probe?: ProbeFn;
  /** TLS material, pools per TLS profile, gRPC channels. */
  connections: ProbeConnections;
  now: () => number;
  random: () => number;
}

/**
 * Polling: results of polls and pushes go through thresholds into the table, the scheduler polls
 * what the table holds (from start() on), and the sweeper applies what time does.
 */
export function pollingFeature(deps: PollingDeps): Feature & {
  scheduler: Scheduler;
  thresholds: Thresholds;
  sweeper: StalenessSweeper;
  /** A fresh pool, after `targets` changed: kept-alive sockets were checked when they opened. */
  refreshDispatcher(): void;
} {
  const { config, table, bus, now } = deps;
  let dispatcher = deps.dispatcher(deps.targets);
  const thresholds = new Thresholds(table, bus, config.flap);
  const scheduler = new Scheduler({
    concurrency: config.limits.concurrentPolls,
    onResult: (id, result) => thresholds.record(id, result),
    random: deps.random,
  });
  const resolvers = new DnsResolvers();
  const probe: ProbeFn =
    deps.probe ??
    ((check, signal) =>
      runProbe(check, signal, { dispatcher, now, targets: deps.targets, connections: deps.connections, resolvers }));
  const feed = new PollFeed(table, bus, scheduler, probe, deps.random);
  const sweeper = new StalenessSweeper(table, bus, now);
  return {
    name: 'polling',
    scheduler,
    thresholds,
    sweeper,
    refreshDispatcher() {
      const old = dispatcher;
      dispatcher = deps.dispatcher(deps.targets);
      void old.close().catch(() => undefined);
      deps.connections.pools.refresh();
    },
    sections: [
      {
        key: 'limits.concurrentPolls',
        pick: (c) => c.limits.concurrentPolls,
        apply: (next) => void (scheduler.concurrency = next.limits.concurrentPolls),
      },
      { key: 'flap', pick: (c) => c.flap, apply: (next) => void (thresholds.flap = next.flap) },
    ],
    start() {
      sweeper.start();
      feed.start();
    },
    async close() {
      sweeper.stop();
      feed.stop();
      await dispatcher.destroy();
    },
  };
}
