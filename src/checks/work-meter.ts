/**
 * The units of work one evaluation may still do, shared by everything it runs: nodes visited and
 * queued, filter tests, function calls, text read, regex steps. Once spent, the evaluation stops.
 */
export class Meter {
  steps = 0;
  constructor(readonly budget: number) {}
  /** Counts `n` units; false once the budget is spent. */
  spend(n = 1): boolean {
    this.steps += n;
    return this.steps <= this.budget;
  }
  get over(): boolean {
    return this.steps > this.budget;
  }
}
