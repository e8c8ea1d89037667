/** A counting semaphore: at most `limit` holders; others wait in FIFO order. */
export class Semaphore {
  private active = 0;
  // A queue with a head index: Array#shift() moves every waiter (50 000 checks queue at start-up).
  private waiting: Array<() => void> = [];
  private head = 0;

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
    return this.waiting.length - this.head;
  }

  private wake(): void {
    while (this.active < this.max && this.head < this.waiting.length) {
      this.active++;
      const next = this.waiting[this.head] as () => void;
      this.waiting[this.head++] = noop;
      // Drop the served part once it is most of the array: O(1) amortised per waiter.
      if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      next();
    }
  }
}

const noop = () => undefined;
