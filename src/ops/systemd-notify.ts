import { spawn } from 'node:child_process';
import type { Logger } from 'pino';

/** Most `systemd-notify` helpers alive at once; a watchdog ping is skipped rather than pile them up. */
const MAX_HELPERS = 2;

export interface SystemdNotifier {
  /** READY=1, once listening with the registry loaded. */
  ready(): void;
  stopping(): void;
  /** Stops the watchdog pings. */
  close(): void;
}

const noop: SystemdNotifier = { ready() {}, stopping() {}, close() {} };

/**
 * Talks to systemd's notify socket through `systemd-notify` (Node has no unix datagram sockets,
 * hence NotifyAccess=all). Without NOTIFY_SOCKET it does nothing. Watchdog pings come from a
 * timer on the event loop at half of WATCHDOG_USEC, so a stuck loop stops them.
 */
export function systemdNotifier(env: NodeJS.ProcessEnv, logger: Logger, command = 'systemd-notify'): SystemdNotifier {
  if (!env.NOTIFY_SOCKET) return noop;
  let helpers = 0;
  let watchdog: NodeJS.Timeout | undefined;

  // Spawned, never awaited: the helper waits for systemd to read the message (its barrier).
  const notify = (args: string[], skippable = false) => {
    if (skippable && helpers >= MAX_HELPERS) return;
    helpers++;
    const child = spawn(command, args, { stdio: 'ignore', env: { ...env, NOTIFY_SOCKET: env.NOTIFY_SOCKET } });
    child.once('error', (err) => logger.warn({ err: err.message }, 'systemd-notify could not run'));
    child.once('close', () => helpers--);
  };

  const usec = Number(env.WATCHDOG_USEC);
  const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid;
  const startWatchdog = () => {
    if (watchdog || !forUs || !Number.isFinite(usec) || usec <= 0) return;
    const every = Math.max(1, Math.floor(usec / 2000));
    watchdog = setInterval(() => notify(['WATCHDOG=1'], true), every);
    watchdog.unref();
    logger.info({ everyMs: every }, 'systemd watchdog pings started');
  };

  return {
    ready() {
      notify(['--ready', `--pid=${process.pid}`]);
      startWatchdog();
    },
    stopping() {
      notify(['STOPPING=1']);
    },
    close() {
      clearInterval(watchdog);
      watchdog = undefined;
    },
  };
}
