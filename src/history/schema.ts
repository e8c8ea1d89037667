import { z } from 'zod';
import { durationSchema } from '../config/duration-schema.js';

/** `history` in megaphone.conf.json. */
export const historySchema = z.strictObject({
  /** Transitions older than this are purged (daily, at start and on reload); default 7d. */
  retention: durationSchema.prefault('7d'),
  /** Most transitions kept per check (and for the host); default 100. */
  perCheck: z.number().int().min(1).max(10_000).default(100),
});

export type HistoryConfig = z.output<typeof historySchema>;
