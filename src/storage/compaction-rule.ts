/** When a journal is folded into its snapshot (see JournaledStore); each bound has its default. */
export interface CompactionBounds {
  /** Compact once the journal holds more than this many ops; default 10 000. */
  compactAfter?: number;
  /** … or more bytes than this floor, default 256 KiB, … */
  compactAfterBytes?: number;
  /** … or than this many times the last snapshot's size (whichever is more); default 4. */
  compactRatio?: number;
}

const DEFAULTS = { compactAfter: 10_000, compactAfterBytes: 256 * 1024, compactRatio: 4 };

/**
 * The journal is bounded by the live state it holds, not only by its count of ops: 1 MB of
 * journal replaying into 2 KB of state is compacted at the floor, and a big state is not
 * rewritten more often than once per `compactRatio` times its size appended.
 */
export class CompactionRule {
  private readonly bounds: Required<CompactionBounds>;
  private atOps: number;
  private atBytes: number;

  /** `snapshotBytes`: the size of the snapshot on disk now (0 when there is none). */
  constructor(
    bounds: CompactionBounds,
    private snapshotBytes: number,
  ) {
    this.bounds = {
      compactAfter: bounds.compactAfter ?? DEFAULTS.compactAfter,
      compactAfterBytes: bounds.compactAfterBytes ?? DEFAULTS.compactAfterBytes,
      compactRatio: bounds.compactRatio ?? DEFAULTS.compactRatio,
    };
    this.atOps = this.bounds.compactAfter;
    this.atBytes = this.limitBytes;
  }

  /** The journal size past which it is compacted: max(floor, ratio × the last snapshot). */
  get limitBytes(): number {
    return Math.max(this.bounds.compactAfterBytes, this.bounds.compactRatio * this.snapshotBytes);
  }

  /** Whether a journal of `ops` ops and `bytes` bytes is due for compaction. */
  due(ops: number, bytes: number): boolean {
    return ops > this.atOps || bytes > this.atBytes;
  }

  /** A snapshot of `snapshotBytes` bytes is on disk (the journal may still hold what it covers). */
  snapshotWritten(snapshotBytes: number): void {
    this.snapshotBytes = snapshotBytes;
  }

  /** The journal the last snapshot covers was dropped: it starts over. */
  compacted(): void {
    this.atOps = this.bounds.compactAfter;
    this.atBytes = this.limitBytes;
  }

  /** A compaction failed with the journal at `ops` and `bytes`: try again after as much again, not on every commit. */
  failed(ops: number, bytes: number): void {
    this.atOps = ops + this.bounds.compactAfter;
    this.atBytes = bytes + this.limitBytes;
  }
}
