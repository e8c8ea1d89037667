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

/**
 * Keeps the feed's indexes in step with what is served: after any change (coalesced to one pass
 * per turn of the event loop, or at once when a reader calls sync()), `/` and each group whose
 * version moved are compared with what they served before; `/checks` moves with every change of
 * a check.
 */
export class FeedWatcher {
  private dirty = false;
  private checksDirty = false;
  private scheduled = false;
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
    if (this.checksDirty) {
      this.checksDirty = false;
      this.feed.touch(CHECKS_RESOURCE);
    }
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

  private follow(resource: string, view: StatusView): void {
    // Only a change of the summary can change what is served: compare it then (O(problems)).
    const version = view.summaryVersion;
    if (this.seen.get(resource) === version) return;
    this.seen.set(resource, version);
    this.feed.update(resource, contentKey(view.summary()));
  }

  private mark(): void {
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sync();
    });
  }
}
