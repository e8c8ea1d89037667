import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { ruleSchema } from '../discovery/rule-schema.js';

/** A duration: milliseconds, or a string such as "250ms", "10s", "2m". Parsed to milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration like "250ms", "10s" or "2m"' });
    return z.NEVER;
  }
  return ms;
});

const listenSchema = z.strictObject({
  /** Address to bind; default "0.0.0.0". */
  host: z.string().min(1).default('0.0.0.0'),
  /** TCP port; default 18001. 0 picks a free port. */
  port: z.number().int().min(0).max(65535).default(18001),
});

const defaultsSchema = z.strictObject({
  /** How often each check is polled unless it says otherwise; default 10s. */
  interval: durationSchema.prefault('10s'),
  /** How long one poll may take in all; default 3s. */
  timeout: durationSchema.prefault('3s'),
});

const limitsSchema = z.strictObject({
  /** Most checks held at once; registrations beyond get 429. Default 10 000. */
  maxChecks: z.number().int().min(1).default(10_000),
  /** Most polls in flight at once across all checks. Default 256. */
  concurrentPolls: z.number().int().min(1).max(10_000).default(256),
});

const discoverySchema = z.strictObject({
  /** How often the process table is read and the rules applied; default 10s. */
  interval: durationSchema.refine((ms) => ms >= 100, { message: 'must be at least 100ms' }).prefault('10s'),
  /** Rules turning local processes into checks; default none. */
  rules: z.array(ruleSchema).max(256).default([]),
});

/** The whole megaphone.conf.json. Every key is optional; unknown keys are errors. */
export const configSchema = z.strictObject({
  listen: listenSchema.prefault({}),
  /** The registry file; relative paths resolve against the config file's folder. */
  dataFile: z.string().min(1).default('megaphone.db.json'),
  defaults: defaultsSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  discovery: discoverySchema.prefault({}),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
