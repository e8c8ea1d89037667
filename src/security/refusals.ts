import { MegaphoneError } from '../lib/errors.js';
import { RETRY_AFTER_S, type Budgets } from './budgets.js';

/** Why a socket or a holder was refused (the `reason` label of megaphone_admission_refused_total). */
export const REFUSAL_REASONS = [
  'client_held',
  'held_total',
  'streams',
  'client_sockets',
  'sockets',
  'pipelined',
  'cooldown',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** A holder refused by a budget: 429 (its client's) or 503 (megaphone's), always with `Retry-After`. */
export class BudgetError extends MegaphoneError {
  readonly headers = { 'Retry-After': String(RETRY_AFTER_S) };
}

/** The answer to a refused holder, naming the budget (and the client, for its own). */
export function refusalError(reason: RefusalReason, b: Budgets, client: string): BudgetError {
  // Refusals come by the thousand under a flood, and their stack says nothing: none is captured.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build(reason, b, client);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function build(reason: RefusalReason, b: Budgets, client: string): BudgetError {
  switch (reason) {
    case 'streams':
      return new BudgetError(`too many event streams open (at most ${b.streams})`, 'E_TOO_MANY_STREAMS', 503);
    case 'pipelined':
      // Never read: the connection is closed (HTTP/1.1 answers in order, nothing can pass a held request).
      return new BudgetError(`one held request per connection (client ${client})`, 'E_TOO_MANY_HELD', 429);
    case 'client_held':
    case 'client_sockets':
      return new BudgetError(
        `client ${client} holds ${b.heldPerClient} long-lived requests already (limits.heldPerClient)`,
        'E_TOO_MANY_HELD',
        429,
      );
    default:
      return new BudgetError(
        `megaphone holds ${b.heldTotal} long-lived connections already (limits.heldTotal)`,
        'E_SERVER_BUSY',
        503,
      );
  }
}
