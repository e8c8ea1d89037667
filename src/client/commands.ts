import { CommanderError, type Command } from 'commander';
import { parseDuration } from '../lib/duration.js';
import { baseUrl, call, ClientError, describeFailure, type Reply } from './http.js';
import { nagiosStatus } from './nagios.js';

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

/** `status`, `checks list|add|rm`, `maintenance on|off|show`: thin HTTP clients of a daemon. */
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

  const checks = program.command('checks').description('list, add and remove checks of a running daemon');
  withClient(checks.command('list'))
    .description('print each check: id and url')
    .action(async (opts: ClientOpts) => {
      const reply = await send(opts, 'GET', '/checks');
      for (const [id, url] of Object.entries((reply.json ?? {}) as Record<string, unknown>)) {
        out(`${id}\t${typeof url === 'string' ? url : JSON.stringify(url)}`);
      }
    });
  withClient(checks.command('add <id> <url>'))
    .description('register (or replace) a check')
    .option('--jsonpath <path>', 'where the status is in the reply ("a/b" or "$.a.b")')
    .option('--status-override <status>', 'report this status whatever the poll says')
    .action(async (id: string, url: string, opts: ClientOpts & { jsonpath?: string; statusOverride?: string }) => {
      const target =
        opts.jsonpath !== undefined || opts.statusOverride !== undefined
          ? { addr: url, jsonpath: opts.jsonpath, statusoverride: opts.statusOverride }
          : url;
      const reply = await send(opts, 'POST', '/checks', { id, url: target });
      out(`${reply.status === 201 ? 'added' : 'replaced'} ${id}`);
    });
  withClient(checks.command('rm <id>'))
    .alias('remove')
    .description('delete a check')
    .action(async (id: string, opts: ClientOpts) => {
      await send(opts, 'DELETE', `/checks/${encodeURIComponent(id)}`);
      out(`removed ${id}`);
    });

  const maintenance = program.command('maintenance').description('drain this host on purpose, or bring it back');
  withClient(maintenance.command('on [reason...]'))
    .description('put the host in maintenance: GET / answers 503 and the HAProxy agent says drain')
    .option('--ttl <duration>', 'lift it by itself after this long (e.g. 30m)')
    .action(async (words: string[], opts: ClientOpts & { ttl?: string }) => {
      const reason = words.join(' ') || 'maintenance';
      const reply = await send(opts, 'PUT', '/maintenance', {
        reason,
        ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}),
      });
      const m = (reply.json as { maintenance?: { until?: string | null } }).maintenance;
      out(`maintenance on: ${reason}${m?.until ? ` (until ${m.until})` : ''}`);
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
      const m = (reply.json as { maintenance?: { reason: string; since: string; until: string | null } | null })
        .maintenance;
      out(m ? `maintenance on since ${m.since}${m.until ? ` until ${m.until}` : ''}: ${m.reason}` : 'maintenance off');
    });
}
