import type { Status } from '../status.js';

/** What a probe read from an answer. */
export interface Reading {
  status: Status;
  message: string;
  /** Set when the body parsed as JSON. */
  payload?: string;
}

/** Consul's rule for the HTTP code alone: 2xx OK, 429 Warning, anything else Critical. */
export function statusOfCode(httpStatus: number): Status {
  if (httpStatus >= 200 && httpStatus < 300) return 'OK';
  return httpStatus === 429 ? 'Warning' : 'Critical';
}

/**
 * The one rule for an answer whose body says nothing readable (`why`): a success code leaves the
 * check Unknown, any other code decides as statusOfCode says. `successBelow` ends the success
 * range: 300 for JSON checks, 400 for health+json (the draft counts 3xx as pass/warn).
 */
export function unreadable(httpStatus: number, why: string, successBelow = 300): Reading {
  if (httpStatus >= 200 && httpStatus < successBelow) return { status: 'Unknown', message: why };
  const status = statusOfCode(httpStatus);
  return { status: status === 'OK' ? 'Critical' : status, message: `HTTP ${httpStatus}; ${why}` };
}
