import type { Status } from '../../status.js';
import type { Webhook } from './schema.js';

/** Where a problem is in its life: it started, it goes on (repeat or escalation), it cleared. */
export type Lifecycle = 'created' | 'ongoing' | 'closed';

/** What a webhook receives (format "json"). `check` is null for the host. */
export interface NotifyEvent {
  host: string;
  check: string | null;
  from: Status;
  to: Status;
  message: string;
  /** ISO time of the transition (or of the repeat). */
  at: string;
  lifecycle: Lifecycle;
  /** ISO time the problem started. */
  since: string;
}

function slackText(e: NotifyEvent): string {
  const who = e.check === null ? `host ${e.host}` : `${e.check} on ${e.host}`;
  if (e.lifecycle === 'closed') return `[megaphone] RESOLVED ${who}: ${e.to} (was ${e.from}) ${e.message}`;
  const tag = e.lifecycle === 'created' ? 'PROBLEM' : 'ONGOING';
  return `[megaphone] ${tag} ${who}: ${e.to} (was ${e.from}) ${e.message}`;
}

/** The request body for a webhook's format. */
export function eventBody(e: NotifyEvent, format: Webhook['format']): string {
  return JSON.stringify(format === 'slack' ? { text: slackText(e) } : e);
}
