import { z } from 'zod';
import { DEFAULT_ALLOW, invalidAllowEntry } from '../security/targets.js';
import { durationSchema } from '../lib/duration.js';
import { webhookSchema } from '../integrations/notify/schema.js';
import { historySchema } from '../history/schema.js';
import { ruleSchema } from '../discovery/rule-config.js';
import { checkSpecSchema } from '../checks/spec.js';
import { tlsConfigSchema } from '../checks/tls-spec.js';
import { intervalSchema, timeoutSchema } from '../checks/timing.js';
import { groupsSchema } from '../groups/schema.js';

const listenSchema = z.strictObject({
  /** Address to bind; default "0.0.0.0". */
  host: z.string().min(1).default('0.0.0.0'),
  /** TCP port; default 18001. 0 picks a free port. */
  port: z.number().int().min(0).max(65535).default(18001),
});

const defaultsSchema = z.strictObject({
  /** How often each check is polled unless it says otherwise; default 10s (100ms-1d, as per check). */
  interval: intervalSchema.prefault('10s'),
  /** How long one poll may take in all; default 3s; a check's own is kept below its interval. */
  timeout: timeoutSchema.prefault('3s'),
  /** Successes in a row before a check leaves a bad state; default 1. */
  rise: z.number().int().min(1).max(100).default(1),
  /** Failures in a row before a check enters a bad state; default 1. */
  fall: z.number().int().min(1).max(100).default(1),
});

const flapSchema = z.strictObject({
  /** How many of a check's latest results are looked at; default 10. */
  window: z.number().int().min(2).max(100).default(10),
  /** Status changes within the window that make a check `flapping`; default 5. */
  changes: z.number().int().min(1).max(99).default(5),
});

const limitsSchema = z.strictObject({
  /** Most checks held at once; registrations beyond get 429. Default 10 000. */
  maxChecks: z.number().int().min(1).default(10_000),
  /** Most polls in flight at once across all checks. Default 256. */
  concurrentPolls: z.number().int().min(1).max(10_000).default(256),
  /** Time a client has to send its request headers; default 10s (slowloris). */
  headersTimeout: durationSchema({ min: 1000, max: 600_000 }).prefault('10s'),
  /** Time a client has to send its whole request; default 15s. */
  requestTimeout: durationSchema({ min: 1000, max: 3_600_000 }).prefault('15s'),
  /** Most open connections from one client (an IPv4 address, an IPv6 /64); see security/budgets.ts. Default 256. */
  connectionsPerClient: z.number().int().min(1).max(100_000).default(256),
  /** Most long-lived connections one client holds (held requests, streams, agent, slow bodies); default half. */
  heldPerClient: z.number().int().min(1).max(100_000).optional(),
  /** Most open connections in all (API and agent); default derived from the open-file limit. */
  connections: z.number().int().min(64).max(1_000_000).optional(),
  /** Most long-lived connections held in all; default 3/4 of `connections`. */
  heldTotal: z.number().int().min(1).max(1_000_000).optional(),
});

const allowEntry = z.string().superRefine((v, ctx) => {
  const why = invalidAllowEntry(v);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

const targetsSchema = z.strictObject({
  /** CIDRs, addresses and host names (`*.example.com`) checks may reach; default loopback only. */
  allow: z
    .array(allowEntry)
    .max(1000)
    .default([...DEFAULT_ALLOW]),
});

const authSchema = z
  .strictObject({
    /** Bearer token that lets non-loopback peers write; at least 16 characters. Never logged. */
    token: z.string().min(16, { message: 'must be at least 16 characters' }).max(4096).optional(),
    /** File holding the token (first line); relative to the config file's folder. */
    tokenFile: z.string().min(1).optional(),
    /** Ask loopback peers for the token too; default false. */
    requireTokenOnLoopback: z.boolean().default(false),
  })
  .refine((a) => !(a.token !== undefined && a.tokenFile !== undefined), {
    message: 'set auth.token or auth.tokenFile, not both',
  })
  .refine((a) => !a.requireTokenOnLoopback || a.token !== undefined || a.tokenFile !== undefined, {
    message: 'auth.requireTokenOnLoopback needs auth.token or auth.tokenFile',
  });

const discoverySchema = z.strictObject({
  /** How often the process table is read and the rules applied; default 10s. */
  interval: intervalSchema.prefault('10s'),
  /** Rules turning local processes into checks; default none. */
  rules: z.array(ruleSchema).max(256).default([]),
});

const httpCode = z.number().int().min(200).max(599);

const httpSchema = z.strictObject({
  /** HTTP code of GET / per host status; default OK/Unknown/Warning 200, Critical 503. */
  statusCodes: z
    .strictObject({
      OK: httpCode.default(200),
      Unknown: httpCode.default(200),
      Warning: httpCode.default(200),
      Critical: httpCode.default(503),
    })
    .prefault({}),
  /** When set, GET / says `Cache-Control: max-age=<seconds>` instead of `no-store`. */
  cacheMaxAge: durationSchema({ max: 86_400_000 }).optional(),
});

const weight = z.number().int().min(0).max(256);

const agentSchema = z.strictObject({
  /** TCP port of the HAProxy agent-check listener; off when absent. */
  port: z.number().int().min(0).max(65535).optional(),
  /** Address the agent listens on; default listen.host. */
  host: z.string().min(1).optional(),
  /** Weight (percent) the agent reports per serving status; default OK/Unknown 100, Warning 50. */
  weights: z
    .strictObject({ OK: weight.default(100), Unknown: weight.default(100), Warning: weight.default(50) })
    .prefault({}),
  /**
   * How long a connection waits for HAProxy's `agent-send` line (a group name) before answering for
   * the host; default 50ms, 0 never waits (groups are then not served by the agent).
   */
  sendWait: durationSchema({ max: 1000 }).prefault('50ms'),
});

/** The whole megaphone.conf.json. Every key is optional; unknown keys are errors. */
export const configSchema = z.strictObject({
  listen: listenSchema.prefault({}),
  /** The registry file; relative paths resolve against the config file's folder. */
  dataFile: z.string().min(1).default('megaphone.db.json'),
  defaults: defaultsSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  targets: targetsSchema.prefault({}),
  auth: authSchema.prefault({}),
  /** Transition history kept per check and for the host; see history/schema.ts. */
  history: historySchema.prefault({}),
  /** Webhooks told about problems (created, ongoing, closed); default none. */
  notify: z.array(webhookSchema).max(32).default([]),
  discovery: discoverySchema.prefault({}),
  flap: flapSchema.prefault({}),
  /** Checks of any kind declared here (same fields as a registration, plus `command`); source "config". */
  checks: z.array(checkSpecSchema).default([]),
  http: httpSchema.prefault({}),
  agent: agentSchema.prefault({}),
  /** Named groups of checks, each served like `/` at /groups/:name; default none. */
  groups: groupsSchema.prefault({}),
  /** TLS material checks may name: `tls.cas` (CAs for API checks, which may not name files). */
  tls: tlsConfigSchema.prefault({}),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
