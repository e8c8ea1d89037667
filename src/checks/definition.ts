import type { Status } from '../status.js';
import type { StatusPath } from './jsonpath.js';

/** Where a check came from: registered over HTTP, declared in the config file, or discovered. */
export type CheckSource = 'api' | 'config' | 'discovery';

interface BaseCheck {
  id: string;
  source: CheckSource;
  /** The `url` exactly as registered; what GET /checks shows. */
  url: unknown;
  /** Reported whatever the poll says, when set. */
  statusoverride?: Status;
  intervalMs: number;
  timeoutMs: number;
  /** For discovered checks: the rule that made it, e.g. `discovery.rules[0] (id "nginx")`. */
  rule?: string;
}

/** Polls a JSON status URL (the seed's check). */
export interface HttpCheck extends BaseCheck {
  kind: 'http';
  target: URL;
  path: StatusPath;
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

export type Check = HttpCheck | GlobalCheck | FixedCheck;

export const GLOBAL_ID = '--global';
