/**
 * Shares one render among the callers that arrive while it runs or within `ttlMs` after it
 * finished, so N concurrent scrapes cost one render. `invalidate()` makes the next call render anew.
 */
export class RenderCache {
  private pending: Promise<string> | undefined;
  private renderedAt: number | undefined;
  private generation = 0;

  /** `ttlMs` default 1000; `now` the clock in ms. */
  constructor(
    private readonly render: () => Promise<string>,
    private readonly now: () => number,
    private readonly ttlMs = 1000,
  ) {}

  get(): Promise<string> {
    const { pending } = this;
    // In flight (renderedAt unset) or finished less than ttlMs ago: share it.
    if (pending && (this.renderedAt === undefined || this.now() - this.renderedAt < this.ttlMs)) return pending;
    const generation = ++this.generation;
    this.renderedAt = undefined;
    const p = this.render().then(
      (text) => {
        if (this.generation === generation) this.renderedAt = this.now();
        return text;
      },
      (err: unknown) => {
        // A failed render is never served again.
        if (this.generation === generation) this.pending = undefined;
        throw err;
      },
    );
    this.pending = p;
    return p;
  }

  /** The next call renders anew (e.g. after a check was deleted). */
  invalidate(): void {
    this.generation++;
    this.pending = undefined;
  }
}
