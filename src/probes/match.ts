import { runWithin } from '../lib/within.js';

/** Longest a `match` may run on one body before it is abandoned (ms). */
export const MATCH_BUDGET_MS = 50;

/**
 * Tests `re` against `text` under a time budget: a catastrophic pattern (/(a+)+$/) is interrupted
 * by V8 instead of stalling the event loop. Returns undefined when it ran out of time.
 */
export function matchWithin(re: RegExp, text: string, budgetMs = MATCH_BUDGET_MS): boolean | undefined {
  re.lastIndex = 0;
  return runWithin(() => re.test(text), budgetMs)?.value;
}
