import { Command, CommanderError } from 'commander';
import { MegaphoneError } from './lib/errors.js';
import { VERSION } from './lib/version.js';
import { discoverCommand } from './discovery/command.js';
import { CommandFailed, registerClientCommands } from './client/commands.js';
import type { DemoOptions } from './demo/command.js';

function fail(message: string, code = 1): never {
  process.stderr.write(`megaphone: ${message}\n`);
  process.exit(code);
}

async function serve(opts: { config?: string; host?: string; port?: string; dataFile?: string }): Promise<void> {
  // Loaded here so the client commands (status, checks, maintenance) start fast.
  const [{ loadConfig }, { startDaemon }, { createLogger }, { onSighupReload }] = await Promise.all([
    import('./config/load.js'),
    import('./daemon.js'),
    import('./lib/log.js'),
    import('./ops/sighup.js'),
  ]);
  const load = () =>
    loadConfig({
      configFlag: opts.config,
      overrides: { host: opts.host, port: opts.port, dataFile: opts.dataFile },
    });
  const { config, file } = await load();
  const logger = await createLogger();
  // execArgv shows which runtime flags this start took (package.json `megaphone.nodeFlags`, through the bin).
  const runtime = { node: process.version, nodeFlags: process.execArgv };
  logger.info({ config: file ?? '(built-in defaults)', version: VERSION, ...runtime }, 'starting');
  const daemon = await startDaemon({ config, logger });
  onSighupReload(daemon, load, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    daemon.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export function buildProgram(): Command {
  const program = new Command('megaphone')
    .description('One worst-of health status per host, for load balancers and monitors')
    .version(VERSION, '-v, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `megaphone: ${s}` : s) });

  program
    .command('serve', { isDefault: true })
    .description('run the daemon (the default command)')
    .option('-c, --config <file>', 'config file (default: $MEGAPHONE_CONFIG or ./megaphone.conf.json)')
    .option('--host <host>', 'address to listen on (env MEGAPHONE_HOST)')
    .option('-p, --port <port>', 'port to listen on (env MEGAPHONE_PORT)')
    .option('--data-file <path>', 'registry file (env MEGAPHONE_DATA_FILE)')
    .action(serve);

  program
    .command('config')
    .description('work with the config file')
    .command('check')
    .description('validate the config; print the effective config with secrets redacted')
    .option('-c, --config <file>', 'config file (default: $MEGAPHONE_CONFIG or ./megaphone.conf.json)')
    .option('-q, --quiet', 'print nothing when it is valid')
    .action(async (opts: { config?: string; quiet?: boolean }) => {
      const { configCheck } = await import('./ops/config-check.js');
      await configCheck(opts, (s) => process.stdout.write(s));
    });

  program
    .command('discover')
    .description('show what each discovery rule matches right now (changes nothing)')
    .option('-c, --config <file>', 'config file (default: $MEGAPHONE_CONFIG or ./megaphone.conf.json)')
    .option('--json', 'print JSON')
    .action(discoverCommand);

  program
    .command('demo')
    .description('a status service to try megaphone on (PUT / changes it)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on', '18002')
    .option('--status <word>', 'the status to start with', 'OK')
    .option('--message <text>', 'the message to start with', 'demo service is up')
    .action(async (opts: DemoOptions) => {
      const { demoCommand } = await import('./demo/command.js');
      await demoCommand(opts);
    });

  registerClientCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (err instanceof CommandFailed) {
      // `status` is a Nagios plugin: its failures are one UNKNOWN line on stdout.
      if (err.exitCode === 3) process.stdout.write(`UNKNOWN - ${err.message}\n`);
      else process.stderr.write(`megaphone: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    if (err instanceof MegaphoneError) fail(err.message);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL')
      fail(`cannot listen: ${e.message}`);
    fail(e instanceof Error ? e.message : String(e));
  }
}

void main(process.argv);
