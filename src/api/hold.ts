import { z } from 'zod';
import { durationSchema } from '../lib/duration.js';

/** Longest ttl of a maintenance or a silence (30 days): a forgotten hold must end. */
export const MAX_HOLD_TTL = 30 * 24 * 3600 * 1000;

/** Why an operator holds the host (maintenance) or a check (silence): one line, 1-256 characters. */
export const reasonSchema = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'must be one line without control characters');

/** How long a maintenance or a silence lasts before it lifts by itself (1s-30d). */
export const holdTtlSchema = durationSchema({ min: 1000, max: MAX_HOLD_TTL });

/** An epoch ms as the API shows it; null for "none". */
export const isoOrNull = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();
