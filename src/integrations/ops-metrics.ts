import { Counter, Gauge, type Registry } from 'prom-client';
import type { HistoryStore } from '../history/store.js';
import type { Notifier } from './notify/notifier.js';
import type { ChangeFeed } from '../feed/change-feed.js';

/** Notification and history counters on /metrics, read from their stats at scrape time. */
export function registerOpsMetrics(
  registry: Registry,
  ops: { notifier: Notifier; history: HistoryStore; feed: ChangeFeed; streams: () => number },
): void {
  new Gauge({
    name: 'megaphone_feed_waiting',
    help: 'Blocking queries (?index=&wait=) held now',
    registers: [registry],
    collect() {
      this.set(ops.feed.waiting);
    },
  });
  new Gauge({
    name: 'megaphone_event_streams',
    help: 'Open /events streams',
    registers: [registry],
    collect() {
      this.set(ops.streams());
    },
  });
  new Counter({
    name: 'megaphone_notifications_total',
    help:
      'Webhook notification outcomes: delivered, failed_attempt (each is retried), ' +
      'abandoned (after the last attempt), dropped (queue full)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const s = ops.notifier.stats;
      this.reset();
      this.inc({ outcome: 'delivered' }, s.delivered);
      this.inc({ outcome: 'failed_attempt' }, s.failedAttempts);
      this.inc({ outcome: 'abandoned' }, s.abandoned);
      this.inc({ outcome: 'dropped' }, s.dropped);
    },
  });
  new Gauge({
    name: 'megaphone_notifications_pending',
    help: 'Webhook events queued or being delivered',
    registers: [registry],
    collect() {
      this.set(ops.notifier.stats.pending);
    },
  });
  new Gauge({
    name: 'megaphone_history_entries',
    help: 'Transitions held in history',
    registers: [registry],
    collect() {
      this.set(ops.history.stats.entries);
    },
  });
  new Counter({
    name: 'megaphone_history_write_errors_total',
    help: 'Failed writes of the history journal',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(ops.history.stats.writeErrors);
    },
  });
}
