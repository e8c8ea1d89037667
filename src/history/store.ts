import type { Logger } from 'pino';
import { MAX_TRANSITION_MESSAGE, type Transition } from '../table/events.js';
import { STATUSES } from '../status.js';
import type { HistoryConfig } from './schema.js';
import { Journal } from './journal.js';
import type { AppendLog } from '../storage/types.js';
import { cut } from '../lib/cut.js';
import { IndexLog } from './index-log.js';

/**
 * One remembered transition; `check` is null for the host. `at` is epoch ms. `index` orders every
 * entry (the change feed's index when it was recorded): /events sends it as the event id.
 */
export type HistoryEntry = Transition & { index: number };

const DAY = 86_400_000;
/** Most transitions held in all, and most checks with a history (deleted ones included), whatever the churn. */
export const MAX_HISTORY_ENTRIES = 100_000;
export const MAX_HISTORY_KEYS = 20_000;

function isEntry(v: unknown): v is HistoryEntry {
  const e = v as HistoryEntry;
  return (
    typeof e === 'object' &&
    e !== null &&
    (e.check === null || typeof e.check === 'string') &&
    STATUSES.includes(e.from) &&
    STATUSES.includes(e.to) &&
    typeof e.message === 'string' &&
    Number.isFinite(e.at) &&
    (e.index === undefined || Number.isSafeInteger(e.index)) &&
    (e.blockedBy === undefined || (Array.isArray(e.blockedBy) && e.blockedBy.every((b) => typeof b === 'string'))) &&
    (e.silence === undefined || e.silence === 'on' || e.silence === 'off')
  );
}

// Newest first; entries of the same millisecond in the order they were recorded.
const newestFirst = (a: HistoryEntry, b: HistoryEntry) => b.at - a.at || b.index - a.index;

/**
 * Every transition of every check and of the host, bounded per check and by age, kept in a
 * log beside the registry (the storage's "history" log) so a restart keeps it.
 */
export class HistoryStore {
  private readonly lists = new Map<string | null, HistoryEntry[]>();
  /** Every entry by index: what /events replays from. */
  private readonly byIndex = new IndexLog<HistoryEntry>();
  private size = 0;
  private purgeTimer: NodeJS.Timeout | undefined;
  private last = 0;
  private compacting: Promise<void> | undefined;
  private readonly listeners = new Set<(e: HistoryEntry) => void>();

  private constructor(
    private readonly journal: Journal<HistoryEntry>,
    private config: HistoryConfig,
    private readonly now: () => number,
    private readonly nextIndex: () => number,
  ) {}

  /** Loads the journal (skipping torn lines), applies the bounds, compacts it, and purges daily. */
  static async open(
    log: AppendLog,
    config: HistoryConfig,
    deps: { logger: Logger; now: () => number; flushMs?: number; nextIndex?: () => number },
  ): Promise<HistoryStore> {
    const { entries, skipped } = await Journal.load(log, isEntry);
    if (skipped > 0) deps.logger.warn({ file: log.describe, skipped }, 'history: skipped unreadable lines');
    let counter = 0;
    const nextIndex = deps.nextIndex ?? (() => ++counter);
    const store = new HistoryStore(new Journal(log, deps.logger, deps.flushMs), config, deps.now, nextIndex);
    // Entries written before indexes existed get small ones, in time order: older than any new entry.
    entries.sort((a, b) => (a.index ?? 0) - (b.index ?? 0) || a.at - b.at);
    entries.forEach((e, i) => (e.index ??= i + 1));
    for (const e of entries) store.add(e);
    store.last = Math.max(0, ...entries.map((e) => e.index));
    counter = store.last;
    await store.purge();
    store.purgeTimer = setInterval(() => void store.purge(), DAY).unref();
    return store;
  }

  /** Remembers a transition; it reaches the disk with the next batch (within about a second). */
  record(t: Transition): HistoryEntry {
    const entry: HistoryEntry = {
      index: this.nextIndex(),
      check: t.check,
      from: t.from,
      to: t.to,
      message: cut(t.message, MAX_TRANSITION_MESSAGE),
      at: t.at,
    };
    if (t.blockedBy) entry.blockedBy = t.blockedBy;
    if (t.silence) entry.silence = t.silence;
    this.last = entry.index;
    this.add(entry);
    this.journal.append(entry);
    for (const listen of this.listeners) listen(entry);
    // Trimmed entries still sit in the file; compact once it holds twice what is live.
    if (this.journal.lines > 2 * this.size + 1000) void this.compact();
    return entry;
  }

  /** The index of the latest entry (0 when there is none). */
  get lastIndex(): number {
    return this.last;
  }

  /** Up to `limit` entries after `index`, oldest first: O(log n) per entry. */
  after(index: number, limit: number): HistoryEntry[] {
    return this.byIndex.after(index, limit);
  }

  /** Where a resume after `index` that sends at most `limit` entries starts (the newest ones when there are more). */
  replayStart(index: number, limit: number): number {
    return this.byIndex.startOfNewest(index, limit);
  }

  /** Calls `listen` with every entry recorded from now on; returns how to stop. */
  subscribe(listen: (e: HistoryEntry) => void): () => void {
    this.listeners.add(listen);
    return () => this.listeners.delete(listen);
  }

  /** A check's transitions, newest first. */
  forCheck(id: string, limit: number): HistoryEntry[] {
    return this.fresh(this.lists.get(id) ?? []).slice(0, limit);
  }

  /** The host's transitions, newest first. */
  host(limit: number): HistoryEntry[] {
    return this.fresh(this.lists.get(null) ?? []).slice(0, limit);
  }

  /** The latest transitions of anything (checks and host), newest first. */
  recent(limit: number): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (const list of this.lists.values()) out.push(...list.slice(-limit));
    return this.fresh(out).slice(0, limit);
  }

  has(id: string): boolean {
    return this.lists.has(id);
  }

  /** Applies new bounds at once. */
  reconfigure(config: HistoryConfig): Promise<void> {
    this.config = config;
    return this.purge();
  }

  /** Drops what is too old or beyond the per-check bound, and rewrites the file with the rest. */
  async purge(): Promise<void> {
    const cutoff = this.now() - this.config.retention;
    for (const [key, list] of this.lists) {
      const kept = list.filter((e) => e.at >= cutoff).slice(-this.config.perCheck);
      if (kept.length === list.length) continue;
      const keep = new Set(kept);
      for (const e of list) if (!keep.has(e)) this.byIndex.remove(e);
      this.size -= list.length - kept.length;
      if (kept.length === 0) this.lists.delete(key);
      else this.lists.set(key, kept);
    }
    // A compaction in flight was taken before this purge: write what is left after it.
    await this.compacting;
    await this.compact();
  }

  /** Writes what is pending (on SIGTERM) and stops the daily purge. */
  async close(): Promise<void> {
    clearInterval(this.purgeTimer);
    await this.journal.close();
  }

  /** Counters for /metrics and the logs. */
  get stats(): { entries: number; writeErrors: number; dropped: number } {
    return { entries: this.size, writeErrors: this.journal.errors, dropped: this.journal.dropped };
  }

  private add(e: HistoryEntry): void {
    let list = this.lists.get(e.check);
    if (list) {
      // The Map's order is the order of last appends, stalest first: eviction takes the first key, O(1).
      this.lists.delete(e.check);
      this.lists.set(e.check, list);
    } else {
      if (this.lists.size >= MAX_HISTORY_KEYS) this.evictOldest(true);
      this.lists.set(e.check, (list = []));
    }
    list.push(e);
    this.byIndex.append(e);
    this.size++;
    if (list.length > this.config.perCheck) {
      this.byIndex.remove(list.shift() as HistoryEntry);
      this.size--;
    }
    while (this.size > MAX_HISTORY_ENTRIES) this.evictOldest(false);
  }

  // Churn of many check ids must not grow memory: the stalest history (appended to longest ago) goes first. It was a
  // scan of every history per eviction: with more checks than MAX_HISTORY_KEYS, ~20 000 steps per transition.
  private evictOldest(wholeList: boolean): void {
    const oldestKey = this.lists.keys().next().value;
    if (oldestKey === undefined) return;
    const list = this.lists.get(oldestKey) as HistoryEntry[];
    const n = wholeList ? list.length : 1;
    for (const gone of list.splice(0, n)) this.byIndex.remove(gone);
    this.size -= n;
    if (list.length === 0) this.lists.delete(oldestKey);
  }

  private fresh(list: HistoryEntry[]): HistoryEntry[] {
    const cutoff = this.now() - this.config.retention;
    return list.filter((e) => e.at >= cutoff).sort(newestFirst);
  }

  // One compaction at a time: until the rewrite lands, the journal's line count still says "compact",
  // and one rewrite of everything per transition was an O(n²) storm at 50 000 checks.
  private compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    const all = [...this.lists.values()].flat().sort((a, b) => a.at - b.at);
    this.compacting = this.journal.rewrite(all).finally(() => (this.compacting = undefined));
    return this.compacting;
  }
}
