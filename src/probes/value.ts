import type { ValueThresholds } from '../checks/numeric-thresholds.js';
import { describeAlert, rangeAlerts } from '../checks/ranges.js';
import { preview } from '../lib/preview.js';
import { unreadable, type Reading } from './http-code.js';

// A number sent as a string ("12.5"), as some APIs do; nothing looser (no "", " 1", "0x10", "1e999").
const NUMERIC = /^-?\d{1,300}(?:\.\d{1,300})?(?:[eE][-+]?\d{1,3})?$/;

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMERIC.test(value) && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/**
 * Judges the value a path found with `url.thresholds`: Critical when the critical range alerts, else Warning when the
 * warning range does, else OK; the message names the path, the value and the range. A value that is not a number is
 * unreadable: Unknown with the reason (by HTTP code when not 2xx).
 */
export function judgeValue(httpStatus: number, value: unknown, at: string, thresholds: ValueThresholds): Reading {
  const n = numberOf(value);
  if (n === undefined) return unreadable(httpStatus, `the value at ${at} is not a number: ${preview(value, 200)}`);
  const shown = `${at} is ${n}`;
  for (const level of ['critical', 'warning'] as const) {
    const range = thresholds[level];
    if (range && rangeAlerts(range, n)) {
      const status = level === 'critical' ? 'Critical' : 'Warning';
      return { status, message: `${shown}: ${describeAlert(range)} (${level} range ${range.text})` };
    }
  }
  return { status: 'OK', message: shown };
}
