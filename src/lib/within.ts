import vm from 'node:vm';

const context = vm.createContext(Object.create(null) as object);
const script = new vm.Script('run()');

/**
 * Runs `fn` under a time budget: past `budgetMs` V8 interrupts it (a catastrophic regex such as
 * /(a+)+$/ on a long text) instead of letting it stall the event loop. Returns `{ value }`, or
 * undefined when it ran out of time. One call costs ~70 µs (a watchdog thread): batch the work.
 */
export function runWithin<T>(fn: () => T, budgetMs: number): { value: T } | undefined {
  const ctx = context as { run?: () => T };
  ctx.run = fn;
  try {
    return { value: script.runInContext(context, { timeout: budgetMs }) as T };
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return undefined;
    throw err;
  } finally {
    ctx.run = undefined;
  }
}
