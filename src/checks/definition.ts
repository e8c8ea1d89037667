import type { Status } from '../status.js';
import type { StatusPath } from './jsonpath.js';
import type { Registration } from './spec.js';
import type { CheckTls } from './tls-spec.js';
import type { LatencyLimits } from './latency.js';
import type { ValueThresholds } from './numeric-thresholds.js';
import type { DnsServer, DnsType } from './dns-spec.js';

/** Where a check came from: registered over HTTP, declared in the config file, or discovered. */
export type CheckSource = 'api' | 'config' | 'discovery';

/** How an HTTP check reads its response; default "json". */
export type HttpFormat = 'json' | 'health+json' | 'http';

export type CheckKind = 'http' | 'tcp' | 'tls' | 'grpc' | 'dns' | 'push' | 'command' | 'global' | 'fixed';

interface BaseCheck {
  id: string;
  source: CheckSource;
  /** The `url` exactly as registered; what GET /checks shows (null for push and command checks). */
  url: unknown;
  /** The validated registration, every field as given (what the data file stores). */
  registration: Registration;
  /** Reported whatever the poll says, when set. */
  statusoverride?: Status;
  intervalMs: number;
  timeoutMs: number;
  /** For discovered checks: the rule that made it, e.g. `discovery.rules[0] (id "nginx")`. */
  rule?: string;
  /** Successes in a row before leaving a bad state; default 1. */
  rise: number;
  /** Failures in a row before entering a bad state; default 1. */
  fall: number;
  /** Checks this one needs (`dependsOn`); empty when none. */
  dependsOn: readonly string[];
  /** Polled checks: how long a poll may take before it is Warning / Critical (`latency`). */
  latency?: LatencyLimits;
}

/** Polls a status URL (the seed's check), read as `format` says. */
export interface HttpCheck extends BaseCheck {
  kind: 'http';
  target: URL;
  path: StatusPath;
  format: HttpFormat;
  method: 'GET' | 'HEAD';
  /** Extra request headers (Host, Authorization, ...). */
  headers: Record<string, string>;
  /** The body must match, else Critical. */
  match?: BodyMatch;
  /** https:// only: how the connection is verified, and the certificate's expiry judged. */
  tls?: CheckTls;
  /** The value at `path` is a number judged by these ranges, not a status word (`url.thresholds`). */
  thresholds?: ValueThresholds;
}

/** A compiled `match`; `abandoned` is set for good once it overran its time budget 3 times in a row. */
export interface BodyMatch {
  re: RegExp;
  /** Overruns in a row (a loaded machine can make one run slow; a catastrophic pattern is slow every time). */
  overruns: number;
  abandoned: boolean;
}

/** OK when a TCP connection opens within the timeout. */
export interface TcpCheck extends BaseCheck {
  kind: 'tcp';
  host: string;
  port: number;
  /** Set: the connection must also complete a TLS handshake (as a `tls` check). */
  tls?: CheckTls;
}

/** tls://host:port: OK when a TLS handshake completes and verifies; the certificate's expiry judged by `tls.expiry`. */
export interface TlsCheck extends BaseCheck {
  kind: 'tls';
  host: string;
  port: number;
  tls: CheckTls;
}

/** grpc://host:port: the standard health service (grpc.health.v1.Health/Check) for `service` ("" the server). */
export interface GrpcCheck extends BaseCheck {
  kind: 'grpc';
  host: string;
  port: number;
  service: string;
  /** Set: gRPC over TLS. */
  tls?: CheckTls;
}

/** Resolves `name` (dns://name) and reads the answer: Critical on an error or when `expect` is not met. */
export interface DnsCheck extends BaseCheck {
  kind: 'dns';
  name: string;
  type: DnsType;
  /** Default: the system resolver. */
  server?: DnsServer;
  /** Values that must all be in the answer, in comparable form (dns-spec `comparable`). */
  expect?: string[];
}

/** Never polled: the service reports with PUT /checks/:id/status at least every `ttlMs`. */
export interface PushCheck extends BaseCheck {
  kind: 'push';
  ttlMs: number;
}

/** Runs a Nagios plugin (config file only) without a shell. */
export interface CommandCheck extends BaseCheck {
  kind: 'command';
  command: string[];
}

/** The `--global` check: never polled; while it exists the host is Critical (or its override). */
export interface GlobalCheck extends BaseCheck {
  kind: 'global';
}

/** Never polled: its owner (discovery) sets status and message, e.g. Critical "process not running". */
export interface FixedCheck extends BaseCheck {
  kind: 'fixed';
  status: Status;
  message: string;
}

export type Check =
  HttpCheck | TcpCheck | TlsCheck | GrpcCheck | DnsCheck | PushCheck | CommandCheck | GlobalCheck | FixedCheck;

/** A check the scheduler polls: http, tcp, tls, grpc, dns, command. */
export type PolledCheck = Exclude<Check, PushCheck | GlobalCheck | FixedCheck>;

/** Kinds the scheduler polls (the others are pushed to, or never change). */
export function isPolled(check: Check): check is PolledCheck {
  return check.kind !== 'push' && check.kind !== 'global' && check.kind !== 'fixed';
}
