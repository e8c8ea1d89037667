import { ALL_OK_MESSAGE, GLOBAL_ID, healthCheckKey, normalizeStatus, STATUSES, type Status } from '../api/wire.js';
import { oneLine } from '../lib/one-line.js';
import { call, ClientError, type Reply } from './http.js';

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

/** Nagios plugin exit codes per status. */
export const NAGIOS_EXIT: Record<Status, number> = { OK: 0, Warning: 1, Critical: 2, Unknown: 3 };

export interface NagiosResult {
  line: string;
  exitCode: number;
}

interface HealthEntry {
  componentId?: unknown;
  status?: unknown;
  megaphoneStatus?: unknown;
  output?: unknown;
  observedValue?: unknown;
}

const unknown = (why: string): NagiosResult => ({ line: `UNKNOWN - ${nagiosText(why)}`, exitCode: 3 });

// The plugin's first line must stay one line, and `|` starts the perfdata.
const nagiosText = (s: string) => oneLine(s, 1000).replaceAll('|', '/');

function statusOf(entry: HealthEntry): Status | undefined {
  return normalizeStatus(entry.megaphoneStatus) ?? normalizeStatus(entry.status);
}

type Checks = Record<string, HealthEntry[] | undefined>;

const firstEntry = (entries: unknown): HealthEntry | undefined =>
  Array.isArray(entries) && entries[0] && typeof entries[0] === 'object' ? (entries[0] as HealthEntry) : undefined;

/**
 * A check's entry: by its key (`db%3Aprimary:status`), else by `componentId`, else by the bare id older megaphones used
 * as key.
 */
function findCheck(checks: Checks, id: string): HealthEntry | undefined {
  const key = healthCheckKey(id);
  if (Object.hasOwn(checks, key)) return firstEntry(checks[key]);
  for (const entries of Object.values(checks)) {
    const e = firstEntry(entries);
    if (e?.componentId === id) return e;
  }
  return Object.hasOwn(checks, id) ? firstEntry(checks[id]) : undefined;
}

function line(status: Status, message: string, perf: string): NagiosResult {
  return {
    line: `${status.toUpperCase()} - ${nagiosText(message)}${perf ? ` | ${perf}` : ''}`,
    exitCode: NAGIOS_EXIT[status],
  };
}

/** Reads a megaphone reply (health+json, or the seed JSON of any Megaphone) as a Nagios plugin result. */
export function interpretReply(reply: Reply, check?: string): NagiosResult {
  const body = reply.json as (HealthEntry & { message?: unknown; checks?: unknown; silenced?: unknown }) | undefined;
  if (!body || typeof body !== 'object') return unknown(`not a megaphone status: HTTP ${reply.status}`);
  const checks = body.checks && typeof body.checks === 'object' ? (body.checks as Checks) : undefined;
  if (check !== undefined) {
    if (!checks)
      return unknown(`megaphone does not list its checks (no health+json), cannot read check ${JSON.stringify(check)}`);
    const entry = findCheck(checks, check);
    if (!entry) return unknown(`no check ${JSON.stringify(check)} on this megaphone`);
    const status = statusOf(entry);
    if (!status) return unknown(`check ${JSON.stringify(check)} has no readable status`);
    const msg = typeof entry.output === 'string' ? entry.output : status === 'OK' ? 'OK' : status;
    const perf = typeof entry.observedValue === 'number' ? `latency=${entry.observedValue}ms` : '';
    return line(status, `${check}: ${msg}`, perf);
  }
  const status = statusOf(body);
  if (!status) return unknown(`not a megaphone status: HTTP ${reply.status}`);
  // Silenced checks are left out of the status: the line still says how many there are.
  const silenced = typeof body.silenced === 'number' && body.silenced > 0 ? body.silenced : 0;
  const message =
    typeof body.output === 'string'
      ? body.output
      : typeof body.message === 'string'
        ? body.message
        : status === 'OK'
          ? `${ALL_OK_MESSAGE}${silenced ? ` (${silenced} silenced)` : ''}`
          : status;
  if (!checks) return line(status, message, '');
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const [key, entries] of Object.entries(checks)) {
    const e = firstEntry(entries);
    const id = typeof e?.componentId === 'string' ? e.componentId : key;
    const s = !e || id === GLOBAL_ID ? undefined : statusOf(e);
    if (s) counts[s]++;
  }
  return line(
    status,
    message,
    `ok=${counts.OK} warning=${counts.Warning} critical=${counts.Critical} unknown=${counts.Unknown}` +
      (silenced ? ` silenced=${silenced}` : ''),
  );
}

/** `megaphone status`: one Nagios line and exit code; 3 when megaphone can't be reached. */
export async function nagiosStatus(
  url: string,
  opts: { check?: string; group?: string; timeoutMs: number },
): Promise<NagiosResult> {
  try {
    // A group answers at /groups/NAME exactly as the host does at /.
    const target =
      opts.group === undefined ? url : new URL(`groups/${encodeURIComponent(opts.group)}`, withSlash(url)).href;
    const reply = await call(target, {
      accept: 'application/health+json, application/json;q=0.5',
      timeoutMs: opts.timeoutMs,
    });
    if (opts.group !== undefined && reply.status === 404)
      return unknown(`no group ${JSON.stringify(opts.group)} on this megaphone`);
    return interpretReply(reply, opts.check);
  } catch (err) {
    if (err instanceof ClientError) return unknown(err.message);
    throw err;
  }
}
