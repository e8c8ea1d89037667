import { z } from 'zod';
import { intervalSchema, timeoutSchema } from '../checks/timing.js';
import { dependsOnSchema } from '../checks/spec.js';
import { tlsSpecSchema } from '../checks/tls-spec.js';
import { latencySchema } from '../checks/latency.js';

const matchSchema = z
  .strictObject({
    /** Exact process name (executable basename or kernel comm), or "/regex/". */
    name: z.string().min(1).max(256).optional(),
    /** Regular expression over the full command line. */
    cmd: z.string().min(1).max(1024).optional(),
    /** User name or numeric uid the process runs as. */
    user: z.union([z.string().min(1).max(64), z.number().int().min(0)]).optional(),
  })
  .refine((m) => m.name !== undefined || m.cmd !== undefined || m.user !== undefined, {
    message: 'needs at least one of name, cmd, user',
  });

/** One discovery rule as written: which processes, and the check each becomes (see rule-config.ts). */
export const ruleShapeSchema = z.strictObject({
  match: matchSchema,
  /** Check id template, e.g. "nginx" or "worker-{pid}". */
  id: z.string().min(1).max(256),
  /** Check url template: a string or the object form of a registration's `url`. */
  url: z.union([z.string().min(1).max(4096), z.record(z.string(), z.unknown())]),
  /** Which listening port `{port}` is, lowest first; default 0 (the lowest). */
  portIndex: z.number().int().min(0).max(1023).default(0),
  /** When the process is gone: "critical" (default) keeps the check Critical, "remove" drops it. */
  whenMissing: z.enum(['critical', 'remove']).default('critical'),
  /** Per-check timing and thresholds, as in a registration. */
  interval: intervalSchema.optional(),
  timeout: timeoutSchema.optional(),
  rise: z.number().int().min(1).max(100).optional(),
  fall: z.number().int().min(1).max(100).optional(),
  /** Check ids every check of this rule depends on. */
  dependsOn: dependsOnSchema.optional(),
  /** TLS options of every check of this rule, as in a check (not a template; files allowed: it is config). */
  tls: tlsSpecSchema.optional(),
  /** Response-time limits of every check of this rule, as a registration's `latency`. */
  latency: latencySchema.optional(),
});

export type RuleConfig = z.output<typeof ruleShapeSchema>;
