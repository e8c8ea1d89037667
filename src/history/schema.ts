import { z } from 'zod';
import { durationSchema } from '../lib/duration.js';

/** `history` in megaphone.conf.json. */
export const historySchema = z.strictObject({
  /** Transitions older than this are purged (daily, at start and on reload); default 7d. */
  retention: durationSchema({ min: 60_000, max: 3650 * 86_400_000 }).prefault('7d'),
  /** Most transitions kept per check (and for the host); default 100. */
  perCheck: z.number().int().min(1).max(10_000).default(100),
});

export type HistoryConfig = z.output<typeof historySchema>;
