/** A counting semaphore: at most `limit` holders; others wait in FIFO order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private max: number) {}

  /** Changing the limit applies at once when raised, and as holders release when lowered. */
  get limit(): number {
    return this.max;
  }

  set limit(value: number) {
    this.max = value;
    this.wake();
  }

  acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    this.active--;
    this.wake();
  }

  get pending(): number {
    return this.waiting.length;
  }

  private wake(): void {
    while (this.active < this.max && this.waiting.length > 0) {
      this.active++;
      (this.waiting.shift() as () => void)();
    }
  }
}
