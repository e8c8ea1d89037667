import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d{1,12}(?:\.\d{1,6})?)(ms|s|m|h|d)$/;

/**
 * Parses a duration strictly: a whole number of milliseconds, or a string like "250ms", "10s",
 * "1.5m" that comes to whole milliseconds. No spaces, no signs, no other units. The one parser of
 * durations: config, API and CLI all use it.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = PATTERN.exec(value);
  if (!m) return undefined;
  const ms = Number(m[1]) * (UNITS[m[2] as string] as number);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Formats milliseconds the way an operator writes them: "250ms", "3s", "1.5s", "2m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000 || ms % 60_000 !== 0) {
    const s = ms / 1000;
    return `${Number.isInteger(s) ? s : s.toFixed(1).replace(/\.0$/, '')}s`;
  }
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${ms / 60_000}m`;
}

/** Bounds of a duration, inclusive, in ms. */
export interface DurationBounds {
  min?: number;
  max?: number;
}

const SHAPE = 'must be a duration like "250ms", "10s" or "2m" (or whole milliseconds)';

/** Why `ms` is outside `bounds`, in the words every duration error uses; undefined when inside. */
export function durationOutOfBounds(ms: number, { min = 0, max = Infinity }: DurationBounds): string | undefined {
  if (ms >= min && ms <= max) return undefined;
  if (max === Infinity) return `must be at least ${formatDuration(min)}`;
  return `must be between ${formatDuration(min)} and ${formatDuration(max)}`;
}

/** The zod schema of a bounded duration, parsed to ms: the one duration schema, used by config and API. */
export function durationSchema(bounds: DurationBounds = {}) {
  // Any input: whatever is not a duration gets the same message (a number or a string in the shape).
  return z
    .custom<number | string>(() => true)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: SHAPE });
        return z.NEVER;
      }
      const why = durationOutOfBounds(ms, bounds);
      if (why) {
        ctx.addIssue({ code: 'custom', message: why });
        return z.NEVER;
      }
      return ms;
    });
}
