import { z } from 'zod';
import { parseDuration } from '../duration.js';

/** A duration: milliseconds, or a string such as "250ms", "10s", "2m". Parsed to milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration like "250ms", "10s" or "2m"' });
    return z.NEVER;
  }
  return ms;
});
