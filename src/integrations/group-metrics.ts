import { Gauge, type Registry } from 'prom-client';
import type { GroupView, Groups } from '../groups/groups.js';
import { severity } from '../status.js';

/** Per-group gauges for /metrics, read from the live groups at scrape time (a removed group is absent). */
export function registerGroupMetrics(registry: Registry, groups: Groups): void {
  const gauge = (name: string, help: string, value: (g: GroupView) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['group'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const g of groups.all()) {
          const v = value(g);
          if (v !== undefined) this.set({ group: g.name }, v);
        }
      },
    });
  gauge(
    'megaphone_group_status',
    'Group status: 0 OK, 1 Unknown, 2 Warning, 3 Critical (maintenance counts as Critical)',
    (g) => severity(g.summary().status),
  );
  gauge('megaphone_group_members', 'Members counted in the group status (silenced members are left out)', (g) => {
    const c = g.summary().counts;
    return c.OK + c.Unknown + c.Warning + c.Critical;
  });
  gauge('megaphone_group_members_ok', 'Members of the group that are OK', (g) => g.summary().counts.OK);
  gauge('megaphone_group_silenced_members', 'Members of the group silenced now', (g) => g.summary().silenced);
  gauge('megaphone_group_min_healthy', 'The group minHealthy (only for groups that set it)', (g) => g.minHealthy);
}
