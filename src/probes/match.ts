import vm from 'node:vm';

/** Longest a `match` may run on one body before it is abandoned (ms). */
export const MATCH_BUDGET_MS = 50;

const context = vm.createContext(Object.create(null) as object);
const script = new vm.Script('re.test(text)');

/**
 * Tests `re` against `text` under a time budget: a catastrophic pattern (/(a+)+$/) is interrupted
 * by V8 instead of stalling the event loop. Returns undefined when it ran out of time.
 */
export function matchWithin(re: RegExp, text: string, budgetMs = MATCH_BUDGET_MS): boolean | undefined {
  const ctx = context as { re?: RegExp; text?: string };
  ctx.re = re;
  ctx.text = text;
  re.lastIndex = 0;
  try {
    return script.runInContext(context, { timeout: budgetMs }) === true;
  } catch {
    return undefined;
  } finally {
    ctx.re = undefined;
    ctx.text = undefined;
  }
}
