import { StorageError } from '../lib/errors.js';
import { journalLine, readJournal } from './journal-lines.js';
import { MOVE_ASIDE } from './document-text.js';
import { splitSnapshot, withSeq } from './snapshot.js';
import { CompactionRule, type CompactionBounds } from './compaction-rule.js';
import type { AppendLog, Storage } from './types.js';

export interface JournaledStoreOptions<S, Op, R> extends CompactionBounds {
  storage: Storage;
  /** The state when there is no document yet. */
  initial(): S;
  /** The state a document holds; throws (any error) when it is not a valid document, e.g. an unknown `version`. */
  fromDocument(json: unknown): S;
  /** The document a state is written as: a JSON object (read synchronously, so the state may change right after). */
  toDocument(state: S): object;
  /** An op as journaled, validated; throws when it is not one. */
  parseOp(json: unknown): Op;
  /**
   * Applies an op to the state in place and returns the op's result. Deterministic: start-up
   * replays the journal through it. It must throw (if at all) before it changes anything.
   */
  apply(state: S, op: Op): R;
}

/** Ops settled between two turns of the event loop when a batch is done. */
const SETTLE_SLICE = 8;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Pending<Op, R> {
  json: string;
  op: Op;
  resolve: (value: R) => void;
  reject: (err: unknown) => void;
}

/** A snapshot being written: the last op it holds and the journal text appended since (kept after it). */
interface Compaction {
  seq: number;
  tail: string[];
  tailOps: number;
  tailBytes: number;
  written: boolean;
  done: Promise<void>;
}

/** A batch's append failed: the error its ops are rejected with. */
interface Refused {
  err: unknown;
}

/**
 * Durable state as a snapshot (the storage's document) plus a write-ahead journal (its log
 * "journal"), with group commit: ops that queue while a batch is being written go out together
 * in one append (one fdatasync). An op is applied to the state only once its batch is durable;
 * a failed batch rejects every op in it and changes nothing, in memory or on disk. Once the
 * journal is long (CompactionRule: by ops, and by bytes against the snapshot's size), a snapshot is
 * written beside it while commits go on, then the journal lines it covers are dropped; a batch
 * refused for a full disk is tried once more after such a compaction. Each commit costs O(its
 * batch), never O(state).
 */
export class JournaledStore<S, Op, R> {
  private readonly queue: Pending<Op, R>[] = [];
  private running = false;
  private flushing: Promise<void> = Promise.resolve();
  /** Durable batches being applied and settled, in order, and how many. */
  private settling: Promise<void> = Promise.resolve();
  private unsettled = 0;
  private compaction: Compaction | undefined;
  private closing = false;
  private readonly rule: CompactionRule;
  /** The seq at the last compaction tried for a full disk: one try until the journal grows again. */
  private noRoomAt = -1;
  /** Compactions done and failed, and the last failure (the journal keeps everything meanwhile). */
  readonly stats = { compactions: 0, compactionErrors: 0, lastCompactionError: undefined as unknown };

  private constructor(
    private readonly opts: JournaledStoreOptions<S, Op, R>,
    private readonly log: AppendLog,
    private readonly committed: S,
    /** The last op applied to `committed`. */
    private seq: number,
    private journalOps: number,
    private journalBytes: number,
    snapshotBytes: number,
  ) {
    this.rule = new CompactionRule(opts, snapshotBytes);
  }

  /**
   * Reads the snapshot, replays the journal after it, and checks the folder is writable. Throws a
   * StorageError naming the file (and line) on a bad document or a corrupt journal, leaving both
   * files untouched; a torn last line (a crash mid-append) is dropped.
   */
  static async open<S, Op, R>(opts: JournaledStoreOptions<S, Op, R>): Promise<JournaledStore<S, Op, R>> {
    const { storage } = opts;
    const json = await storage.document.read();
    let state: S;
    let after = 0;
    // What the journal is weighed against: the live state's size on disk.
    const snapshotBytes = json === null ? 0 : Buffer.byteLength(JSON.stringify(json));
    if (json === null) state = opts.initial();
    else {
      const { seq, doc } = splitSnapshot(json, storage.describe);
      try {
        state = opts.fromDocument(doc);
      } catch (err) {
        throw new StorageError(
          `data file ${storage.describe} is not a valid document: ${(err as Error).message}; ${MOVE_ASIDE}`,
        );
      }
      after = seq;
    }
    const log = storage.log('journal');
    const journal = readJournal(await log.read(), log.describe, after, opts.parseOp);
    for (const { seq, op } of journal.entries) {
      if (seq <= after) continue;
      try {
        opts.apply(state, op);
      } catch {
        // It threw when it was committed too, and its caller was told then.
      }
    }
    const last = journal.entries.at(-1)?.seq ?? after;
    // A journal that ends before the snapshot (all of it held there) is emptied, so seqs go on from the snapshot's.
    const stale = last < after;
    await storage.checkWritable();
    // Appends must follow a whole line.
    if (stale) await log.replace('');
    else if (journal.torn) await log.replace(journal.kept);
    const bytes = stale ? 0 : Buffer.byteLength(journal.kept);
    const ops = stale ? 0 : journal.entries.length;
    return new JournaledStore(opts, log, state, Math.max(last, after), ops, bytes, snapshotBytes);
  }

  /** The committed state (every acknowledged op, nothing else). Treat as read-only. */
  get state(): S {
    return this.committed;
  }

  /** Ops in the journal now, and its size: what compaction watches. */
  get journal(): { ops: number; bytes: number } {
    return { ops: this.journalOps, bytes: this.journalBytes };
  }

  /** Resolves with `apply`'s result once the op is durable and applied; else rejects, changing nothing. */
  commit(op: Op): Promise<R> {
    if (this.closing) return Promise.reject(new StorageError(`${this.opts.storage.describe} is closed`));
    let json: string | undefined;
    let copy: Op;
    try {
      json = JSON.stringify(op);
      if (json === undefined) throw new TypeError(`op ${String(op)} is not JSON`);
      // The op applied is the one journaled, as replay will read it: nothing the caller holds is shared with the state.
      copy = this.opts.parseOp(JSON.parse(json));
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ json: json as string, op: copy, resolve, reject });
      this.kick();
    });
  }

  /** Waits until every queued op is settled and no compaction is in progress. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.running) await this.flushing;
      else if (this.unsettled > 0) await this.settling;
      else if (this.compaction) await this.compaction.done;
      else return;
    }
  }

  /** Settles what is queued, compacts the journal (on failure it stays, to be replayed), and closes the log. */
  async close(): Promise<void> {
    if (this.closing) return this.drain();
    this.closing = true;
    await this.drain();
    if (this.journalOps > 0) {
      this.startCompaction();
      await this.drain();
    }
    await this.log.close();
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.flushing = this.flush();
  }

  private async flush(): Promise<void> {
    try {
      for (;;) {
        if (this.compaction?.written) await this.finishCompaction(this.compaction);
        const batch = this.queue.splice(0);
        // Batches still settling finish on their own (drain() waits for them).
        if (batch.length === 0) return;
        const first = this.seq + 1;
        const text = batch.map((p, i) => journalLine(first + i, p.json)).join('');
        const refused = await this.append(text);
        if (refused) {
          // The log left no trace and the state was not touched: the seqs are free again.
          for (const p of batch) p.reject(refused.err);
          continue;
        }
        const bytes = Buffer.byteLength(text);
        this.seq += batch.length;
        this.journalOps += batch.length;
        this.journalBytes += bytes;
        if (this.compaction) {
          this.compaction.tail.push(text);
          this.compaction.tailOps += batch.length;
          this.compaction.tailBytes += bytes;
        }
        // Settled (in order) while the next batch is written: the fsync and the callers' work overlap.
        const settled = this.settling.then(() => this.settle(batch));
        this.settling = settled;
        this.unsettled++;
        void settled.then(() => void this.unsettled--);
        if (!this.closing && this.rule.due(this.journalOps, this.journalBytes)) {
          // The snapshot must hold every op up to `seq`.
          await this.settling;
          this.startCompaction();
        }
      }
    } finally {
      this.running = false;
    }
  }

  // Appends a batch. On a full disk, a compaction may free the journal's room: then the batch is tried once more.
  private async append(text: string): Promise<Refused | undefined> {
    try {
      await this.log.append(text);
      return undefined;
    } catch (err) {
      if (!(await this.madeRoom(err))) return { err };
    }
    try {
      await this.log.append(text);
      return undefined;
    } catch (err) {
      return { err };
    }
  }

  // After ENOSPC (507): folds the whole journal into a snapshot now; true when the journal was emptied.
  private async madeRoom(err: unknown): Promise<boolean> {
    if ((err as { status?: unknown }).status !== 507 || this.journalOps === 0 || this.noRoomAt === this.seq) {
      return false;
    }
    this.noRoomAt = this.seq;
    // The snapshot must hold every op up to `seq`.
    await this.settling;
    for (let round = 0; round < 2 && this.journalOps > 0; round++) {
      // One in flight holds less than `seq` (its tail stays in the journal): finish it, then take another.
      this.startCompaction();
      const c = this.compaction;
      if (!c) return false;
      await c.done;
      if (!c.written) return false;
      await this.finishCompaction(c);
    }
    return this.journalOps === 0;
  }

  // Applies a durable batch and settles its ops, a slice per turn of the event loop: each settled op runs its caller's
  // continuation (for a registration: the table, its first poll, the HTTP answer), and 100 at once held GET / ~20 ms.
  private async settle(batch: readonly Pending<Op, R>[]): Promise<void> {
    for (let i = 0; i < batch.length; i++) {
      if (i > 0 && i % SETTLE_SLICE === 0) await yieldToIo();
      const p = batch[i] as Pending<Op, R>;
      try {
        p.resolve(this.opts.apply(this.committed, p.op));
      } catch (err) {
        p.reject(err);
      }
    }
  }

  // Snapshot of the state as of `seq`, serialised now; written while commits go on appending.
  private startCompaction(): void {
    if (this.compaction) return;
    const c: Compaction = {
      seq: this.seq,
      tail: [],
      tailOps: 0,
      tailBytes: 0,
      written: false,
      done: Promise.resolve(),
    };
    let write: Promise<number>;
    try {
      write = this.opts.storage.document.write(withSeq(this.opts.toDocument(this.committed), c.seq));
    } catch (err) {
      write = Promise.reject(err);
    }
    this.compaction = c;
    c.done = write.then(
      (bytes) => {
        c.written = true;
        this.rule.snapshotWritten(bytes);
        // Dropping the covered lines goes between two appends, in the commit loop.
        this.kick();
      },
      (err: unknown) => {
        this.compaction = undefined;
        this.compactionFailed(err);
      },
    );
  }

  private async finishCompaction(c: Compaction): Promise<void> {
    try {
      await this.log.replace(c.tail.join(''));
      this.journalOps = c.tailOps;
      this.journalBytes = c.tailBytes;
      this.rule.compacted();
      this.stats.compactions++;
    } catch (err) {
      // The snapshot is durable and replay skips what it holds: the journal may keep its lines.
      this.compactionFailed(err);
    } finally {
      this.compaction = undefined;
    }
  }

  private compactionFailed(err: unknown): void {
    this.stats.compactionErrors++;
    this.stats.lastCompactionError = err;
    this.rule.failed(this.journalOps, this.journalBytes);
  }
}
