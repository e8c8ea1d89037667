import { fstatSync } from 'node:fs';
import { destination, multistream, pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import { ConfigError } from './errors.js';

/** How log lines look: JSON lines, readable lines for a terminal, JSON lines with journald priorities. */
export const LOG_FORMATS = ['json', 'pretty', 'journal'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The stream logs go to, as far as choosing a format goes (process.stdout by default). */
export interface LogOutput {
  fd: number;
  isTTY?: boolean;
}

/** True when `fd` is the stream systemd names in JOURNAL_STREAM ("device:inode", systemd.exec(5)). */
function isJournalStream(fd: number, journalStream: string): boolean {
  try {
    const st = fstatSync(fd, { bigint: true });
    return `${st.dev}:${st.ino}` === journalStream;
  } catch {
    return false;
  }
}

/**
 * `MEGAPHONE_LOG_FORMAT` when set; else `journal` when stdout is the journal's stream (a child of
 * that service inherits JOURNAL_STREAM with its own stdout elsewhere), `pretty` on a terminal,
 * `json` anywhere else (pipes, files).
 */
export function chooseLogFormat(env: NodeJS.ProcessEnv = process.env, out: LogOutput = process.stdout): LogFormat {
  const forced = env.MEGAPHONE_LOG_FORMAT;
  if (forced !== undefined && forced !== '') {
    if ((LOG_FORMATS as readonly string[]).includes(forced)) return forced as LogFormat;
    throw new ConfigError(
      `MEGAPHONE_LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(forced)}`,
    );
  }
  if (env.JOURNAL_STREAM && isJournalStream(out.fd, env.JOURNAL_STREAM)) return 'journal';
  return out.isTTY ? 'pretty' : 'json';
}

// pino level → syslog priority, which journald takes from a `<N>` line prefix (SyslogLevelPrefix=yes, the default).
const PRIORITIES = [
  ['trace', 7],
  ['debug', 7],
  ['info', 6],
  ['warn', 4],
  ['error', 3],
  ['fatal', 2],
] as const;

/** JSON lines, each prefixed with its record's syslog priority: `<4>{"level":40,...}`. */
function journalStream(dest: DestinationStream): DestinationStream {
  const streams = PRIORITIES.map(([level, priority]) => ({
    level,
    stream: { write: (line: string) => dest.write(`<${priority}>${line}`) },
  }));
  // dedupe: each record goes only to the stream of its own level.
  return multistream(streams, { dedupe: true });
}

/** Readable lines: pino-pretty's formatter, called synchronously on each line (no worker, no stream pipeline). */
async function prettyStream(dest: DestinationStream): Promise<DestinationStream> {
  // Loaded only when a terminal reads the logs.
  const { prettyFactory, isColorSupported } = (await import('pino-pretty')).default;
  const pretty = prettyFactory({
    colorize: isColorSupported,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'name',
    singleLine: true,
  });
  return { write: (line: string) => dest.write(pretty(line)) };
}

export interface LoggerOptions {
  /** Default: `MEGAPHONE_LOG_LEVEL`, else `info`. */
  level?: string;
  /** Default: chooseLogFormat() for stdout. */
  format?: LogFormat;
  /** Default: stdout, as pino writes it by default (asynchronously, flushed at exit). */
  destination?: DestinationStream;
}

/** The daemon's logger: pino records with an ISO `time`, written in the chosen format. */
export async function createLogger(opts: LoggerOptions = {}): Promise<Logger> {
  const format = opts.format ?? chooseLogFormat();
  // As pino's default: buffered, written off the request path, flushed at exit.
  const dest = opts.destination ?? destination({ dest: 1, sync: false });
  const stream = format === 'journal' ? journalStream(dest) : format === 'pretty' ? await prettyStream(dest) : dest;
  const level = opts.level ?? process.env.MEGAPHONE_LOG_LEVEL ?? 'info';
  return pino({ level, base: { name: 'megaphone' }, timestamp: stdTimeFunctions.isoTime }, stream);
}

export type { Logger };
