import type { HostStatus, StatusView } from '../summary/host-view.js';
import { maintenanceView } from '../maintenance/maintenance.js';
import type { Status } from '../status.js';
import { VERSION } from '../lib/version.js';
import { oneLine } from '../lib/one-line.js';
import { healthCheckKey } from './wire.js';

/** What a representation renders from: the host, at `now`. */
export interface RenderInput {
  host: StatusView;
  summary: HostStatus;
  now: number;
}

/** One way of serving GET / (a dialect). Add one to `DEFAULT_REPRESENTATIONS`' list to serve a new type. */
export interface Representation {
  /** Name for `?format=`. */
  format: string;
  /** Media type served, and matched against Accept. */
  type: string;
  /** Rebuilt when the second turns too (it shows the date). */
  perSecond?: boolean;
  /** It lists every check (not only the summary): rebuilt on any change, a poll's time too. */
  listsChecks?: boolean;
  render(input: RenderInput): string;
  /** The HTTP code served with it, from the configured one (`http.statusCodes`); default: that code. */
  statusCode?(status: Status, configured: number): number;
}

/** The HTTP code of GET / for a representation: its own rule, else `http.statusCodes` as configured. */
export function rootStatusCode(r: Representation, status: Status, configured: number): number {
  return r.statusCode ? r.statusCode(status, configured) : configured;
}

/** IETF health+json status per megaphone status; Unknown is not a pass. */
export const HEALTH_STATUS: Record<Status, 'pass' | 'warn' | 'fail'> = {
  OK: 'pass',
  Unknown: 'warn',
  Warning: 'warn',
  Critical: 'fail',
};

/** The seed's JSON: {status, date, message}, plus `silenced` (how many checks are left out) and `maintenance`. */
export const seedJson: Representation = {
  format: 'json',
  type: 'application/json',
  perSecond: true,
  render({ summary, now }) {
    const body: Record<string, unknown> = {
      status: summary.status,
      date: new Date(now).toISOString(),
      message: summary.message,
    };
    // Only when some are: the seed's three fields stay as they were for every other client.
    if (summary.silenced > 0) body.silenced = summary.silenced;
    if (summary.maintenance) body.maintenance = maintenanceView(summary.maintenance);
    return JSON.stringify(body);
  },
};

/**
 * draft-inadarei-api-health-check-06, one `checks` entry per check, keyed `component:measurement`
 * by healthCheckKey (`db%3Aprimary:status` for id `db:primary`); `componentId` is the raw id.
 */
export const healthJson: Representation = {
  format: 'health',
  type: 'application/health+json',
  listsChecks: true,
  // The draft: pass and warn MUST come with 2xx-3xx, fail with 4xx-5xx, whatever http.statusCodes says.
  statusCode(status, configured) {
    if (HEALTH_STATUS[status] === 'fail') return configured >= 400 && configured < 600 ? configured : 503;
    return configured >= 200 && configured < 400 ? configured : 200;
  },
  render({ host, summary }) {
    // Keys come from ids: a null-prototype object keeps any id an ordinary key.
    const checks: Record<string, unknown[]> = Object.create(null) as Record<string, unknown[]>;
    for (const s of host.checks()) {
      const entry: Record<string, unknown> = {
        componentId: s.check.id,
        componentType: 'component',
        status: HEALTH_STATUS[s.status],
        // megaphone's own word: health+json has no "unknown".
        megaphoneStatus: s.status,
      };
      // `time` is when the reading was taken: none before the first poll or report (a preset check's reading is its
      // own).
      const readAt = s.result?.at ?? (s.check.kind === 'global' || s.check.kind === 'fixed' ? s.since : undefined);
      if (readAt !== undefined) entry.time = new Date(readAt).toISOString();
      if (s.result) Object.assign(entry, { observedValue: s.result.latencyMs, observedUnit: 'ms' });
      if (s.status !== 'OK') entry.output = s.message;
      checks[healthCheckKey(s.check.id)] = [entry];
    }
    const body: Record<string, unknown> = { status: HEALTH_STATUS[summary.status], megaphoneStatus: summary.status };
    if (summary.status !== 'OK') body.output = summary.message;
    if (summary.silenced > 0) body.silenced = summary.silenced;
    Object.assign(body, {
      releaseId: VERSION,
      description: 'megaphone: worst status of every service on this host',
      checks,
    });
    if (summary.maintenance) body.maintenance = maintenanceView(summary.maintenance);
    return JSON.stringify(body);
  },
};

/** One line: `CRITICAL: db:Critical:connection refused`. */
export const plainText: Representation = {
  format: 'text',
  type: 'text/plain',
  render({ summary }) {
    return `${summary.status.toUpperCase()}: ${oneLine(summary.message)}\n`;
  },
};

/** Served by GET /, first is the default (also for an Accept nothing here matches). */
export const DEFAULT_REPRESENTATIONS: readonly Representation[] = [seedJson, healthJson, plainText];
