import type { ServerResponse } from 'node:http';
import type { HistoryEntry, HistoryStore } from '../history/store.js';
import { historyView } from '../history/view.js';

/** A comment line this often keeps proxies and clients from timing the stream out. */
export const HEARTBEAT_MS = 15_000;
/** A client this far behind is cut off; it resumes with Last-Event-ID. */
export const MAX_BUFFERED = 256 * 1024;
/** Most transitions replayed on resume (the rest are in GET /history). */
export const MAX_REPLAY = 1000;
/** Events replayed per turn of the event loop, all streams together, and to one stream at a time. */
export const REPLAY_PER_TURN = 200;
const REPLAY_BATCH = 50;
/** A replay waits for `drain` while this much is waiting for its client. */
const REPLAY_BUFFERED = 64 * 1024;
/** Event texts kept for the streams replaying them (the newest transitions, resumed from most). */
const TEXTS_KEPT = 2048;

/** One transition as a Server-Sent Event. */
export const streamEvent = (e: HistoryEntry) =>
  `event: transition\nid: ${e.index}\ndata: ${JSON.stringify(historyView(e))}\n\n`;

interface Stream {
  res: ServerResponse;
  /** The last event sent; while replaying, live events reach the stream through the replay, in order. */
  cursor: number;
  live: boolean;
}

// Resolves on 'drain' or 'close', whichever comes first, leaving no listener behind.
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * The open event streams: one heartbeat timer for all of them, and one history subscription that
 * writes each new transition to every stream. Idle streams cost nothing but their sockets. How many
 * may be open is the admission module's budget (the route takes a slot per stream). Resumes are
 * replayed by one pump under one budget per turn of the event loop, however many streams resume.
 */
export class EventStreams {
  private readonly open = new Set<Stream>();
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Replaying streams waiting for their next batch, in turn. */
  private queue: Stream[] = [];
  private pumping = false;
  private readonly texts = new Map<HistoryEntry, string>();

  constructor(private readonly history: HistoryStore) {}

  get size(): number {
    return this.open.size;
  }

  /**
   * Streams transitions to `res` (its headers written), after replaying those after `after` when
   * given. Returns how to forget it (its socket closed); it is forgotten when `res` closes too.
   */
  add(res: ServerResponse, after?: number): () => void {
    const stream: Stream = {
      res,
      cursor: after === undefined ? 0 : this.history.replayStart(after, MAX_REPLAY),
      live: after === undefined,
    };
    this.open.add(stream);
    const remove = () => this.remove(stream);
    res.once('close', remove);
    if (this.open.size === 1) {
      this.unsubscribe = this.history.subscribe((e) => this.send(this.textOf(e)));
      this.heartbeat = setInterval(() => this.send(': heartbeat\n\n'), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
    if (!stream.live) this.enqueue(stream);
    return remove;
  }

  private remove(stream: Stream): void {
    if (!this.open.delete(stream) || this.open.size > 0) return;
    clearInterval(this.heartbeat);
    this.unsubscribe?.();
  }

  /** Ends every stream (megaphone is stopping); clients reconnect to the next one. */
  close(): void {
    for (const { res } of [...this.open]) res.end();
  }

  private send(text: string): void {
    for (const { res, live } of this.open) {
      if (!live) continue;
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(text);
    }
  }

  private textOf(e: HistoryEntry): string {
    let text = this.texts.get(e);
    if (text !== undefined) return text;
    text = streamEvent(e);
    if (this.texts.size >= TEXTS_KEPT) this.texts.delete(this.texts.keys().next().value as HistoryEntry);
    this.texts.set(e, text);
    return text;
  }

  private enqueue(stream: Stream): void {
    this.queue.push(stream);
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => this.pump());
  }

  /**
   * One turn of replay: each waiting stream in turn gets its next batch (one write), until
   * REPLAY_PER_TURN events are sent; then other requests are answered before the next turn. A
   * stream whose client has REPLAY_BUFFERED unread waits for `drain`; one that has caught up goes
   * live (nothing can be recorded between the empty batch and that: both are this turn).
   */
  private pump(): void {
    this.pumping = false;
    let budget = REPLAY_PER_TURN;
    const turn = this.queue;
    this.queue = [];
    let i = 0;
    for (; i < turn.length && budget > 0; i++) {
      const stream = turn[i] as Stream;
      if (!this.open.has(stream)) continue;
      const batch = this.history.after(stream.cursor, Math.min(REPLAY_BATCH, budget));
      if (batch.length === 0) {
        stream.live = true;
        continue;
      }
      budget -= batch.length;
      stream.cursor = (batch[batch.length - 1] as HistoryEntry).index;
      stream.res.write(batch.map((e) => this.textOf(e)).join(''));
      if (stream.res.writableLength > REPLAY_BUFFERED)
        void drained(stream.res).then(() => this.open.has(stream) && this.enqueue(stream));
      else this.queue.push(stream);
    }
    // Streams not reached this turn go first next turn.
    this.queue = [...turn.slice(i), ...this.queue];
    if (this.queue.length > 0 && !this.pumping) {
      this.pumping = true;
      setImmediate(() => this.pump());
    }
  }
}
