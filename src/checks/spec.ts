import { z } from 'zod';
import { statusWordSchema } from '../status.js';
import { badRequest } from '../lib/errors.js';
import { formatIssue } from '../lib/format-issue.js';
import { idSchema } from './id.js';
import { intervalSchema, timeoutSchema, ttlSchema } from './timing.js';
import { parseStatusPath } from './jsonpath.js';
import { preview } from '../lib/preview.js';
import { safeRecord } from '../lib/safe-record.js';
import { addressSchema } from './address.js';
import { tlsSpecSchema } from './tls-spec.js';
import { dnsFields } from './dns-spec.js';
import { thresholdsSchema } from './numeric-thresholds.js';
import { latencySchema } from './latency.js';

/** Longest `match` pattern accepted (characters). */
export const MAX_MATCH_LENGTH = 256;
/** Most extra request headers per check. */
export const MAX_HEADERS = 32;

// Headers undici manages itself, or that would change the framing of the request.
const FORBIDDEN_HEADERS = new Set([
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;

// Header names come from outside: a safe record keeps `__proto__` a name like any other.
const headersSchema = safeRecord(
  z.string(),
  z
    .string()
    .max(1024)
    .regex(/^[^\r\n\0]*$/, { message: 'must not contain line breaks' }),
).superRefine((h, ctx) => {
  const names = Object.keys(h);
  if (names.length > MAX_HEADERS) ctx.addIssue({ code: 'custom', message: `must have at most ${MAX_HEADERS} entries` });
  const bad = names.find((n) => !HEADER_NAME.test(n));
  if (bad !== undefined)
    ctx.addIssue({ code: 'custom', message: `has ${JSON.stringify(bad)}, which is not an HTTP header name` });
  const managed = names.find((n) => FORBIDDEN_HEADERS.has(n.toLowerCase()));
  if (managed !== undefined)
    ctx.addIssue({ code: 'custom', message: `may not set ${managed}: it is managed by megaphone` });
});

const urlObject = z.strictObject({
  addr: addressSchema,
  jsonpath: z.string().min(1).optional(),
  statusoverride: statusWordSchema.optional(),
  /** How the response is read; default "json". */
  format: z.enum(['json', 'health+json', 'http']).optional(),
  /** A regular expression the body must match, else Critical. */
  match: z.string().min(1).max(MAX_MATCH_LENGTH).optional(),
  headers: headersSchema.optional(),
  /** GET (default) or HEAD. */
  method: z.enum(['GET', 'HEAD']).optional(),
  /** grpc:// only: the service asked about; default "" (the whole server). */
  service: z
    .string()
    .max(256)
    .regex(/^[^\u0000-\u001f\u007f]*$/, { message: 'must not contain control characters' })
    .optional(),
  /** Nagios ranges on the number at `jsonpath`, which is then a value, not a status word. */
  thresholds: thresholdsSchema.optional(),
  ...dnsFields,
});

const commandSchema = z
  .array(
    z
      .string()
      .min(1)
      .max(4096)
      .regex(/^[^\0]*$/, { message: 'must not contain NUL' }),
  )
  .min(1)
  .max(64);

/** Most dependencies one check may declare. */
export const MAX_DEPENDENCIES = 32;

/** `dependsOn`: distinct check ids (they need not exist yet). */
export const dependsOnSchema = z
  .array(idSchema)
  .max(MAX_DEPENDENCIES)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'must not name a check twice' });

/**
 * Every field a check may have, from the API or the config file; which combinations are valid is checked by
 * compileCheck.
 */
export const checkSpecSchema = z.strictObject({
  id: idSchema,
  url: z.union([addressSchema, urlObject]).optional(),
  /** TLS options (https://, tls://; turns TLS on for tcp:// and grpc://): CA, SNI, client certificate, expiry. */
  tls: tlsSpecSchema.optional(),
  /** Push check: how long a report stays valid. */
  ttl: ttlSchema.optional(),
  /** Command check (config file only): argv of a Nagios plugin, run without a shell. */
  command: commandSchema.optional(),
  interval: intervalSchema.optional(),
  timeout: timeoutSchema.optional(),
  /** Successes in a row before leaving a bad state; default 1. */
  rise: z.number().int().min(1).max(100).optional(),
  /** Failures in a row before entering a bad state; default 1. */
  fall: z.number().int().min(1).max(100).optional(),
  /** Ids of checks this one needs: while one of them is not OK, this one's problems are blamed on it. */
  dependsOn: dependsOnSchema.optional(),
  /** Polled checks: a poll slower than `warning` / `critical` is Warning / Critical. */
  latency: latencySchema.optional(),
});

/** The same fields as the config file's `checks` entries; POSTed bodies must not carry `command`. */
export const registrationSchema = checkSpecSchema;

export type Registration = z.output<typeof checkSpecSchema>;

/** Validates a registration body; throws a 400 naming the field and the value. */
export function parseRegistration(body: unknown): Registration {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(`request body must be a JSON object, got ${body === undefined ? 'nothing' : preview(body, 40)}`);
  }
  // Script checks over HTTP are how Consul agents got remote code execution: refuse before anything else.
  if (Object.hasOwn(body, 'command')) {
    throw badRequest(
      '`command` checks can only be declared in the config file, never over HTTP',
      'E_COMMAND_OVER_HTTP',
    );
  }
  const result = registrationSchema.safeParse(body);
  if (!result.success) throw badRequest(formatIssue(result.error, body));
  // Every path rule applies to new registrations; stored ones load even if a later rule refuses them.
  const url = result.data.url;
  if (typeof url === 'object' && url.jsonpath !== undefined) parseStatusPath(url.jsonpath);
  return result.data;
}
