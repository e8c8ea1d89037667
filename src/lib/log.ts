import { pino, type Logger } from 'pino';

/** JSON logs on stdout (pino). */
export function createLogger(level = process.env.MEGAPHONE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { name: 'megaphone' } });
}

export type { Logger };
