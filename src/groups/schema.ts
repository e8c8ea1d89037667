import { z } from 'zod';
import { idSchema, ID_RULE } from '../checks/id.js';
import { safeRecord } from '../lib/safe-record.js';

/** A member pattern: a check id, or one with `*` standing for any run of id characters. */
export const memberPatternSchema = z
  .string()
  .regex(/^(?!\.+$)[A-Za-z0-9._:*-]{1,128}$/, { message: `must be a check id (${ID_RULE}) or one with * in it` });

/** One named group of checks, e.g. the services behind one load balancer pool. */
export const groupSchema = z.strictObject({
  /** Member ids or patterns (`app-*`). */
  checks: z.array(memberPatternSchema).min(1).max(1000),
  /** Fewer OK members than this: Critical; otherwise Warning while any member is not OK. */
  minHealthy: z.number().int().min(1).max(100_000).optional(),
});

export type GroupConfig = z.output<typeof groupSchema>;

/** `groups` in megaphone.conf.json: name → group; names follow the check id rules. Default none. */
export const groupsSchema = safeRecord(idSchema, groupSchema, 256);
