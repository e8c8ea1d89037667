import { CommanderError, type Command } from 'commander';
import { parseDuration } from '../lib/duration.js';
import { baseUrl, call, ClientError, describeFailure, type Reply } from './http.js';
import { nagiosStatus } from './nagios.js';
import { registrationOf, withCheckFlags, type CheckFlags } from './check-flags.js';

interface ClientOpts {
  url?: string;
  timeout: string;
}

/** Thrown by a client command: printed as one line, exit code 1 (3 for `status`). */
export class CommandFailed extends Error {
  readonly code = 'E_COMMAND_FAILED';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CommandFailed';
  }
}

const out = (s: string) => process.stdout.write(`${s}\n`);

/** The reason of `maintenance on` when none is given and none is running. */
const DEFAULT_MAINTENANCE_REASON = 'maintenance';

interface MaintenanceView {
  reason: string;
  since: string;
  until: string | null;
}
const maintenanceOf = (reply: Reply) => (reply.json as { maintenance?: MaintenanceView | null }).maintenance ?? null;
const until = (m: MaintenanceView) => (m.until ? ` (until ${m.until})` : '');

interface SilenceView {
  reason: string;
  until: string | null;
  untilOk: boolean;
}
/** When a silence ends: its ttl, the check's next OK, either, or only when lifted. */
function silenceEnd(s: SilenceView): string {
  if (s.until !== null) return s.untilOk ? `until ${s.until} or OK` : `until ${s.until}`;
  return s.untilOk ? 'until OK' : 'until unsilenced';
}

const checkPath = (id: string) => `/checks/${encodeURIComponent(id)}`;

function timeoutOf(opts: ClientOpts, exitCode = 1): number {
  const ms = parseDuration(opts.timeout);
  if (ms === undefined || ms <= 0)
    throw new CommandFailed(`--timeout must be a duration like "5s", got ${JSON.stringify(opts.timeout)}`, exitCode);
  return ms;
}

function endpoint(opts: ClientOpts, path: string): string {
  return new URL(path, baseUrl(opts.url)).href;
}

async function send(
  opts: ClientOpts,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<Reply> {
  let reply: Reply;
  try {
    reply = await call(endpoint(opts, path), { method, body, timeoutMs: timeoutOf(opts) });
  } catch (err) {
    if (err instanceof ClientError) {
      const hint = err.unreachable ? ' (is the daemon running? point --url or MEGAPHONE_URL at it)' : '';
      throw new CommandFailed(`${err.message}${hint}`);
    }
    throw err;
  }
  if (reply.status >= 400) throw new CommandFailed(describeFailure(reply));
  return reply;
}

const withClient = (cmd: Command) =>
  cmd
    .option('--url <url>', 'the daemon (default: $MEGAPHONE_URL or http://127.0.0.1:18001)')
    .option('--timeout <duration>', 'give up after', '5s');

/** `status`, `checks list|add|rm|silence|unsilence`, `maintenance on|off|show`: thin HTTP clients of a daemon. */
export function registerClientCommands(program: Command): void {
  withClient(program.command('status'))
    // A plugin's usage error is UNKNOWN (3), not WARNING (1).
    .exitOverride((err) => {
      throw err.exitCode === 0 ? err : new CommanderError(3, err.code, err.message);
    })
    .description(
      'Nagios/Icinga plugin: one line and exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also when unreachable)',
    )
    .option('--check <id>', 'report one check instead of the host')
    .option('--group <name>', 'report a named group (config `groups`) instead of the host')
    .action(async (opts: ClientOpts & { check?: string; group?: string }) => {
      const r = await nagiosStatus(baseUrl(opts.url), {
        check: opts.check,
        group: opts.group,
        timeoutMs: timeoutOf(opts, 3),
      });
      out(r.line);
      process.exitCode = r.exitCode;
    });

  const checks = program.command('checks').description('list, add, remove and silence checks of a running daemon');
  withClient(checks.command('list'))
    .description('print each check: id and url, and its silence if it has one')
    .action(async (opts: ClientOpts) => {
      const [urls, states] = await Promise.all([send(opts, 'GET', '/checks'), send(opts, 'GET', '/checks?verbose=1')]);
      const verbose = (states.json ?? {}) as Record<string, { silenced?: SilenceView } | undefined>;
      for (const [id, url] of Object.entries((urls.json ?? {}) as Record<string, unknown>)) {
        const silenced = Object.hasOwn(verbose, id) ? verbose[id]?.silenced : undefined;
        const note = silenced ? ` (silenced: ${silenced.reason} ${silenceEnd(silenced)})` : '';
        out(`${id}\t${typeof url === 'string' ? url : JSON.stringify(url)}${note}`);
      }
    });
  withCheckFlags(withClient(checks.command('add <id> <url>')))
    .description('register (or replace) a check')
    .action(async (id: string, url: string, opts: ClientOpts & CheckFlags) => {
      const reply = await send(opts, 'POST', '/checks', registrationOf(id, url, opts));
      out(`${reply.status === 201 ? 'added' : 'replaced'} ${id}`);
    });
  withClient(checks.command('rm <id>'))
    .alias('remove')
    .description('delete a check')
    .action(async (id: string, opts: ClientOpts) => {
      await send(opts, 'DELETE', `/checks/${encodeURIComponent(id)}`);
      out(`removed ${id}`);
    });
  withClient(checks.command('silence <id>'))
    .description('leave a check out of the host status, groups, the agent and notifications for a while')
    .requiredOption('--reason <text>', 'why (shown in lists, state and history)')
    .option('--ttl <duration>', 'lift it by itself after this long (e.g. 1h); default: until unsilenced')
    .option('--until-ok', 'lift it once the check reads OK')
    .action(async (id: string, opts: ClientOpts & { reason: string; ttl?: string; untilOk?: boolean }) => {
      const reply = await send(opts, 'PUT', `${checkPath(id)}/silence`, {
        reason: opts.reason,
        untilOk: opts.untilOk === true,
        ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}),
      });
      const s = (reply.json as { silenced: SilenceView }).silenced;
      out(`silenced ${id}: ${s.reason} (${silenceEnd(s)})`);
    });
  withClient(checks.command('unsilence <id>'))
    .description("lift a check's silence: it counts for the host status again")
    .action(async (id: string, opts: ClientOpts) => {
      await send(opts, 'DELETE', `${checkPath(id)}/silence`);
      out(`unsilenced ${id}`);
    });

  const maintenance = program.command('maintenance').description('drain this host on purpose, or bring it back');
  withClient(maintenance.command('on [reason...]'))
    .description('put the host in maintenance: GET / answers 503 and the HAProxy agent says drain')
    .option('--ttl <duration>', 'lift it by itself after this long (e.g. 30m)')
    .addHelpText(
      'after',
      `
Without a reason, a maintenance already on keeps its reason and its ttl (--ttl sets a new ttl);
when none is on, the reason is "${DEFAULT_MAINTENANCE_REASON}". A new reason replaces the running one, and
its ttl too unless --ttl is given: the line printed says what it replaced.`,
    )
    .action(async (words: string[], opts: ClientOpts & { ttl?: string }) => {
      const given = words.join(' ');
      const running = maintenanceOf(await send(opts, 'GET', '/maintenance'));
      if (running && given === '' && opts.ttl === undefined) {
        out(`maintenance already on since ${running.since}${until(running)}: ${running.reason} (unchanged)`);
        return;
      }
      const reason = given || running?.reason || DEFAULT_MAINTENANCE_REASON;
      const reply = await send(opts, 'PUT', '/maintenance', {
        reason,
        ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}),
      });
      const now = maintenanceOf(reply);
      const replaced = running ? `; replaced: ${running.reason}${until(running) || ' (no ttl)'}` : '';
      out(`maintenance on: ${reason}${now ? until(now) : ''}${replaced}`);
    });
  withClient(maintenance.command('off'))
    .description('lift maintenance')
    .action(async (opts: ClientOpts) => {
      await send(opts, 'DELETE', '/maintenance');
      out('maintenance off');
    });
  withClient(maintenance.command('show'))
    .description('print the maintenance in force, if any')
    .action(async (opts: ClientOpts) => {
      const reply = await send(opts, 'GET', '/maintenance');
      const m = maintenanceOf(reply);
      out(m ? `maintenance on since ${m.since}${m.until ? ` until ${m.until}` : ''}: ${m.reason}` : 'maintenance off');
    });
}
