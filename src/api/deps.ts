import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { DiscoveryView } from '../discovery/runner.js';
import type { HistoryStore } from '../history/store.js';
import type { Metrics } from '../integrations/metrics.js';
import type { ChangeFeed } from '../feed/change-feed.js';
import type { FeedWatcher } from '../feed/watcher.js';
import type { EventStreams } from '../feed/streams.js';
import type { Groups } from '../groups/groups.js';
import type { Maintenance } from '../maintenance/maintenance.js';
import type { Silences } from '../silences/silences.js';
import type { Registration } from '../checks/spec.js';
import type { WritePolicy } from '../security/write-auth.js';
import type { Admission } from '../security/admission.js';
import type { Status } from '../status.js';
import type { HostView, StatusView } from '../summary/host-view.js';
import type { CheckTable } from '../table/check-table.js';
import type { Negotiator } from './negotiate.js';
import type { Representation } from './representations.js';

/** The writes the API makes to its own checks (the registrations feature). */
export interface CheckWriter {
  register(reg: Registration): Promise<{ created: boolean }>;
  remove(id: string): Promise<void>;
  report(id: string, status: Status, message: string): Promise<void>;
}

export interface DiscoveryViewer {
  view(): DiscoveryView;
}

/** What the HTTP API needs; the composition root (src/megaphone.ts) builds them. */
export interface AppDeps {
  table: CheckTable;
  /** Applies what time did (staleness, ttls) before a read. */
  freshen: () => void;
  checks: CheckWriter;
  host: HostView;
  /** The `http` settings now (a reload may replace them). */
  http: () => Config['http'];
  /** What GET / can serve; the first is the default. */
  representations: readonly Representation[];
  /** The one cache of GET /'s bytes, shared by the Koa route and the fast path. */
  negotiator: Negotiator;
  /** The byte cache of a group's status (one per view; a reload makes new views, so new caches). */
  negotiatorFor: (view: StatusView) => Negotiator;
  maintenance: Maintenance;
  silences: Silences;
  groups: Groups;
  /** Indexes of what is served, for ETags and blocking queries; the watcher keeps them current. */
  feed: ChangeFeed;
  watcher: FeedWatcher;
  /** Open /events streams. */
  streams: EventStreams;
  /** 0 ≤ x < 1: the jitter of blocking queries. */
  random: () => number;
  /** The budgets of everything that holds a connection (held requests, streams, slow bodies). */
  admission: Admission;
  /** Runs `fn` when megaphone closes: long-held responses (event streams) end then. */
  onClose: (fn: () => void) => void;
  metrics: Metrics;
  /** Transition history; without it /history and /checks/:id/history are absent. */
  history?: HistoryStore;
  /** The discovery runner, for GET /discovery; absent means no rules. */
  discovery?: DiscoveryViewer;
  /** Who may write. */
  writePolicy: WritePolicy;
  logger: Logger;
  now: () => number;
  /** Shown on the status page. */
  hostname: string;
}
