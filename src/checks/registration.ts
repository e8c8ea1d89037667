import { z } from 'zod';
import { STATUSES, type Status } from '../status.js';
import { badRequest } from '../errors.js';
import { formatIssue } from '../config/format-issues.js';

/** Check ids: 1-128 characters of A-Z a-z 0-9 . _ : - */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const MAX_URL_LENGTH = 2048;

export const idSchema = z
  .string()
  .regex(ID_PATTERN, { message: 'must be 1-128 characters of A-Z a-z 0-9 . _ : -' });

const httpUrl = z
  .string()
  .max(MAX_URL_LENGTH)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, { message: 'must be an http:// or https:// URL' });

const statusWord = z
  .string()
  .refine((v) => STATUSES.some((s) => s.toLowerCase() === v.toLowerCase()), {
    message: `must be one of ${STATUSES.join(', ')}`,
  });

const urlObject = z.strictObject({
  addr: httpUrl,
  jsonpath: z.string().min(1).optional(),
  statusoverride: statusWord.optional(),
});

/** A registration as POSTed to /checks (the seed's shape). */
export const registrationSchema = z.strictObject({
  id: idSchema,
  url: z.union([httpUrl, urlObject]),
});

export type Registration = z.output<typeof registrationSchema>;

/** Validates a registration body; throws a 400 naming the field and the value. */
export function parseRegistration(body: unknown): Registration {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(`request body must be a JSON object, got ${body === undefined ? 'nothing' : JSON.stringify(body).slice(0, 40)}`);
  }
  const result = registrationSchema.safeParse(body);
  if (!result.success) throw badRequest(formatIssue(result.error, body));
  return result.data;
}

export function canonicalStatus(word: string): Status {
  return STATUSES.find((s) => s.toLowerCase() === word.toLowerCase()) as Status;
}
