import type { Monitor } from '../monitor.js';

/** The bytes of GET / (the seed's JSON), rebuilt only when the summary changed or the second turned. */
export class SummaryBody {
  private version = -1;
  private second = -1;
  private bytes: Buffer = Buffer.alloc(0);

  constructor(
    private readonly monitor: Monitor,
    private readonly now: () => number,
  ) {}

  get(): Buffer {
    const now = this.now();
    const second = Math.floor(now / 1000);
    if (this.monitor.version !== this.version || second !== this.second) {
      const s = this.monitor.summary();
      this.bytes = Buffer.from(JSON.stringify({ status: s.status, date: new Date(now).toISOString(), message: s.message }));
      this.version = this.monitor.version;
      this.second = second;
    }
    return this.bytes;
  }
}
