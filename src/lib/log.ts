import { destination, pino, type Logger } from 'pino';

/**
 * JSON logs on stdout (pino). Written asynchronously: lines logged while a write is in flight go
 * out together in the next one (a registration burst logs two lines per check; one write syscall
 * each cost ~7 % of the daemon's CPU). Nothing waits for a buffer to fill, so an idle daemon's
 * line is written at once, and pino flushes what is left synchronously when the process exits.
 */
export function createLogger(level = process.env.MEGAPHONE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { name: 'megaphone' } }, destination({ dest: 1, sync: false }));
}

export type { Logger };
