import { GLOBAL_ID } from '../checks/id.js';
import type { Maintenance } from '../maintenance/maintenance.js';
import type { Blocking, Summary } from '../summary/aggregate.js';
import { MaintenanceOverlay, unsilenced, type HostStatus, type StatusView } from '../summary/host-view.js';
import { SummaryIndex } from '../summary/summary-index.js';
import type { CheckState } from '../table/check-state.js';
import type { CheckTable } from '../table/check-table.js';
import type { EventBus } from '../table/events.js';
import { memberMatcher } from './patterns.js';
import type { GroupConfig } from './schema.js';

export const NO_MEMBERS_MESSAGE = 'no checks in group';

interface Group {
  name: string;
  config: GroupConfig;
  matches: (id: string) => boolean;
  index: SummaryIndex;
  members: Set<string>;
  cached: { visible: number; summary: Summary } | undefined;
  changes: number;
}

/** A named group served like `/`: its members' summary, with maintenance and `--global` as for the host. */
export class GroupView implements StatusView {
  private readonly overlay: MaintenanceOverlay;

  constructor(
    private readonly groups: Groups,
    private readonly group: Group,
    private readonly maintenance: Maintenance,
  ) {
    this.overlay = new MaintenanceOverlay(maintenance);
  }

  get name(): string {
    return this.group.name;
  }

  get minHealthy(): number | undefined {
    return this.group.config.minHealthy;
  }

  get version(): number {
    return this.groups.versionOf(this.group) + this.maintenance.version;
  }

  get summaryVersion(): number {
    return this.groups.visibleOf(this.group) + this.maintenance.version;
  }

  summary(): HostStatus {
    const s = this.groups.summaryOf(this.group);
    return this.overlay.apply(s, this.summaryVersion);
  }

  /** Member ids now (silenced ones included: they are members, only left out of the status). */
  members(): string[] {
    return [...this.group.members].sort();
  }

  checks(): Iterable<CheckState> {
    return unsilenced(this.groups.statesOf(this.group));
  }
}

/**
 * Named groups of checks (config `groups`): each keeps its own summary index, updated one change at
 * a time like the host's, so a group's status costs O(its problems). Members join by id or `*`
 * pattern as checks arrive (discovered `{pid}` checks too); silenced members are left out of the
 * status; the `--global` check applies to every group.
 */
export class Groups {
  private groups = new Map<string, Group>();
  private views = new Map<string, GroupView>();
  /** Which groups an id belongs to, worked out once per id. */
  private membership = new Map<string, Group[]>();

  constructor(
    private readonly table: CheckTable,
    bus: EventBus,
    private readonly maintenance: Maintenance,
    private readonly freshen: () => void,
    private readonly blocking?: Blocking,
  ) {
    bus.on('changed', (state) => this.apply(state));
    bus.on('removed', (id) => {
      for (const g of id === GLOBAL_ID ? this.groups.values() : this.groupsOf(id)) {
        g.index.delete(id);
        g.members.delete(id);
        this.touch(g);
      }
      this.membership.delete(id);
    });
  }

  /** Applies `groups` (at start and on reload): every group is rebuilt from the checks held now. */
  configure(config: Readonly<Record<string, GroupConfig>>): void {
    this.groups = new Map();
    this.views = new Map();
    this.membership = new Map();
    for (const [name, gc] of Object.entries(config)) {
      const group: Group = {
        name,
        config: gc,
        matches: memberMatcher(gc.checks),
        index: new SummaryIndex(),
        members: new Set(),
        cached: undefined,
        changes: 0,
      };
      this.groups.set(name, group);
      this.views.set(name, new GroupView(this, group, this.maintenance));
    }
    for (const state of this.table.all()) this.apply(state);
  }

  get(name: string): GroupView | undefined {
    return this.views.get(name);
  }

  all(): IterableIterator<GroupView> {
    return this.views.values();
  }

  versionOf(group: Group): number {
    this.freshen();
    return group.changes;
  }

  visibleOf(group: Group): number {
    this.freshen();
    return group.index.visible;
  }

  summaryOf(group: Group): Summary {
    this.freshen();
    const visible = group.index.visible;
    if (group.cached?.visible !== visible) {
      const summary = group.index.summary({
        blocking: this.blocking,
        minHealthy: group.config.minHealthy,
        empty: NO_MEMBERS_MESSAGE,
      });
      group.cached = { visible, summary };
    }
    return group.cached.summary;
  }

  *statesOf(group: Group): Iterable<CheckState> {
    for (const id of group.members) {
      const state = this.table.get(id);
      if (state) yield state;
    }
  }

  private apply(state: CheckState): void {
    const { id } = state.check;
    // The --global check forces every group, as it forces the host.
    const targets = id === GLOBAL_ID ? [...this.groups.values()] : this.groupsOf(id);
    for (const g of targets) {
      if (id !== GLOBAL_ID) g.members.add(id);
      if (state.silence) g.index.silence(id);
      else g.index.set(id, state.status, state.message);
      this.touch(g);
    }
    // A member's line names what blocks it: a dependency outside the group changes it too.
    for (const dependent of this.table.dependentsOf(id)) {
      for (const g of this.groupsOf(dependent)) {
        g.index.touch();
        this.touch(g);
      }
    }
  }

  private groupsOf(id: string): Group[] {
    let found = this.membership.get(id);
    if (!found) {
      found = [...this.groups.values()].filter((g) => g.matches(id));
      this.membership.set(id, found);
    }
    return found;
  }

  private touch(g: Group): void {
    g.changes++;
  }
}
