import { z } from 'zod';
import { durationSchema } from '../../lib/duration.js';
import { canonicalStatusSchema, type Status } from '../../status.js';
import { idSchema } from '../../checks/id.js';
import { webhookUrlProblem } from './target.js';

/** One entry of `notify`: a webhook and which problems it hears about. */
export const webhookSchema = z.strictObject({
  /** Where events are POSTed (http or https). */
  url: z.string().superRefine((v, ctx) => {
    const problem = webhookUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  /** Statuses that count as a problem; default Warning and Critical. */
  on: z
    .array(canonicalStatusSchema)
    .min(1)
    .default(['Warning', 'Critical'] as Status[]),
  /** Only these check ids (then no host events); default every check and the host. */
  checks: z.array(idSchema).max(1000).optional(),
  /** Re-send an "ongoing" event this often while a problem lasts; default never. */
  repeat: durationSchema({ min: 1000, max: 7 * 86_400_000 }).optional(),
  /** Body shape: megaphone's JSON event, or a Slack incoming-webhook `{text}`; default json. */
  format: z.enum(['json', 'slack']).default('json'),
  /** Deadline of one delivery attempt; default 5s. */
  timeout: durationSchema({ min: 1, max: 120_000 }).prefault('5s'),
  /** Attempts per event before it is counted failed and dropped; default 5. */
  attempts: z.number().int().min(1).max(20).default(5),
});

export type Webhook = z.output<typeof webhookSchema>;
