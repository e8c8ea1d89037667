import type { Groups } from '../groups/groups.js';
import type { Maintenance } from '../maintenance/maintenance.js';
import type { HostStatus, StatusView } from '../summary/host-view.js';
import type { EventBus } from '../table/events.js';
import type { ChangeFeed } from './change-feed.js';

/** The feed resource of `/`, of a group, and of `/checks`. */
export const HOST_RESOURCE = '/';
export const CHECKS_RESOURCE = '/checks';
export const groupResource = (name: string) => `/groups/${name}`;

/** What a status serves, for change detection: everything but the date. */
export function contentKey(s: HostStatus): string {
  const m = s.maintenance;
  return `${s.status}\n${s.message}\n${m ? `${m.reason}\n${m.since}\n${m.until ?? ''}` : ''}`;
}

/** Longest pause between a change and the comparison that wakes held requests (see `schedule`). */
const MAX_PASS_DELAY_MS = 1_000;

/**
 * Keeps the feed's indexes in step with what is served. Comparing a status costs O(problems) (its
 * message lists them all), so it is done only when someone looks: a reader calls sync() before it
 * answers, and after any change (coalesced to one pass per turn of the event loop) the statuses
 * that have held requests are compared, so those wake. With nobody waiting, a change costs O(1)
 * here; with requests held on a status that is expensive to compare, passes are spaced to a
 * fraction of the time they take. `/checks` moves with every change of a check.
 */
export class FeedWatcher {
  private dirty = false;
  private checksDirty = false;
  private scheduled = false;
  /** How long the last pass spent comparing statuses (ms): the next one comes at least 8x that later. */
  private lastPassMs = 0;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly feed: ChangeFeed,
    bus: EventBus,
    maintenance: Maintenance,
    private readonly host: StatusView,
    private readonly groups: Groups,
  ) {
    const checks = () => {
      this.checksDirty = true;
      this.mark();
    };
    bus.on('changed', checks);
    bus.on('removed', checks);
    bus.on('upserted', checks);
    bus.on('transition', () => this.mark());
    maintenance.events.on('changed', () => this.mark());
    this.mark();
  }

  /** Brings every index up to date now (readers call this before they answer). */
  sync(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.touchChecks();
    this.follow(HOST_RESOURCE, this.host);
    for (const g of this.groups.all()) this.follow(groupResource(g.name), g);
  }

  /** A reload replaced the groups: forget the ones gone, follow the new ones. */
  regroup(): void {
    const names = new Set([...this.groups.all()].map((g) => groupResource(g.name)));
    for (const key of [...this.seen.keys()]) {
      if (key.startsWith('/groups/') && !names.has(key)) {
        this.seen.delete(key);
        this.feed.drop(key);
      }
    }
    // A group of the same name may now hold other members: compare it afresh.
    for (const key of names) this.seen.delete(key);
    this.mark();
  }

  /** After changes: `/checks` moves; the statuses someone waits on are compared (their waiters wake). */
  private pass(): void {
    this.scheduled = false;
    this.touchChecks();
    this.lastPassMs = 0;
    // The rest stays dirty for the next reader's sync().
    if (this.feed.isHeld(HOST_RESOURCE)) this.follow(HOST_RESOURCE, this.host);
    for (const g of this.groups.all()) {
      const resource = groupResource(g.name);
      if (this.feed.isHeld(resource)) this.follow(resource, g);
    }
  }

  private touchChecks(): void {
    if (!this.checksDirty) return;
    this.checksDirty = false;
    this.feed.touch(CHECKS_RESOURCE);
  }

  private follow(resource: string, view: StatusView): void {
    // Only a change of the summary can change what is served: compare it then (O(problems)).
    const version = view.summaryVersion;
    if (this.seen.get(resource) === version) return;
    this.seen.set(resource, version);
    // Only the comparison is timed: answering the woken requests is theirs, not this pass's cost.
    const started = performance.now();
    const key = contentKey(view.summary());
    this.lastPassMs += performance.now() - started;
    this.feed.update(resource, key);
  }

  private mark(): void {
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    // Next turn, or, when comparing took long (50 000 problems), at most 1/8 of the time spent on it.
    const delay = Math.min(MAX_PASS_DELAY_MS, this.lastPassMs * 8);
    if (delay < 1) setImmediate(() => this.pass());
    else setTimeout(() => this.pass(), delay).unref();
  }
}
