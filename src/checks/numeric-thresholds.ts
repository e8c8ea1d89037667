import { z } from 'zod';
import { badRequest } from '../lib/errors.js';
import { MAX_RANGE_LENGTH, parseRange, type NagiosRange } from './ranges.js';

/** `url.thresholds` as written: Nagios ranges on the number at `url.jsonpath`; checked by compileThresholds. */
export const thresholdsSchema = z.strictObject({
  /** Warning when the number is in this range's alert zone. */
  warning: z.string().max(MAX_RANGE_LENGTH).optional(),
  /** Critical when the number is in this range's alert zone (checked before `warning`). */
  critical: z.string().max(MAX_RANGE_LENGTH).optional(),
});

/** Compiled `url.thresholds`: the ranges parsed once, at registration. */
export interface ValueThresholds {
  warning?: NagiosRange;
  critical?: NagiosRange;
}

function range(level: 'warning' | 'critical', text: string): NagiosRange {
  try {
    return parseRange(text);
  } catch (err) {
    throw badRequest(`\`url.thresholds.${level}\` ${(err as Error).message}, got ${JSON.stringify(text)}`);
  }
}

/** Parses `url.thresholds`; throws a 400 naming the field and the rule. */
export function compileThresholds(spec: z.output<typeof thresholdsSchema>): ValueThresholds {
  if (spec.warning === undefined && spec.critical === undefined)
    throw badRequest('`url.thresholds` needs `warning` or `critical` (or both)');
  const out: ValueThresholds = {};
  if (spec.warning !== undefined) out.warning = range('warning', spec.warning);
  if (spec.critical !== undefined) out.critical = range('critical', spec.critical);
  return out;
}
