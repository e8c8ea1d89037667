import { z } from 'zod';
import { durationSchema } from '../../config/duration-schema.js';
import { STATUSES, type Status } from '../../status.js';
import { webhookUrlProblem } from './target.js';

const statusWord = z
  .string()
  .refine((v) => STATUSES.some((s) => s.toLowerCase() === v.toLowerCase()), { message: `must be one of ${STATUSES.join(', ')}` })
  .transform((v) => STATUSES.find((s) => s.toLowerCase() === v.toLowerCase()) as Status);

/** One entry of `notify`: a webhook and which problems it hears about. */
export const webhookSchema = z.strictObject({
  /** Where events are POSTed (http or https). */
  url: z.string().superRefine((v, ctx) => {
    const problem = webhookUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  /** Statuses that count as a problem; default Warning and Critical. */
  on: z.array(statusWord).min(1).default(['Warning', 'Critical']),
  /** Only these check ids (then no host events); default every check and the host. */
  checks: z.array(z.string().min(1).max(128)).max(1000).optional(),
  /** Re-send an "ongoing" event this often while a problem lasts; default never. */
  repeat: durationSchema.refine((ms) => ms >= 1000, { message: 'must be at least 1s' }).optional(),
  /** Body shape: megaphone's JSON event, or a Slack incoming-webhook `{text}`; default json. */
  format: z.enum(['json', 'slack']).default('json'),
  /** Deadline of one delivery attempt; default 5s. */
  timeout: durationSchema.refine((ms) => ms > 0, { message: 'must be more than 0' }).prefault('5s'),
  /** Attempts per event before it is counted failed and dropped; default 5. */
  attempts: z.number().int().min(1).max(20).default(5),
});

export type Webhook = z.output<typeof webhookSchema>;
