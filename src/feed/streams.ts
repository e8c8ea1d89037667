import type { ServerResponse } from 'node:http';
import type { HistoryEntry, HistoryStore } from '../history/store.js';
import { historyView } from '../history/view.js';

/** A comment line this often keeps proxies and clients from timing the stream out. */
export const HEARTBEAT_MS = 15_000;
/** A client this far behind is cut off; it resumes with Last-Event-ID. */
export const MAX_BUFFERED = 256 * 1024;
/** Most transitions replayed on resume (the rest are in GET /history). */
export const MAX_REPLAY = 1000;
/** A replay writes this many events per turn of the event loop, and waits for `drain` past REPLAY_BUFFERED. */
const REPLAY_BATCH = 50;
const REPLAY_BUFFERED = 64 * 1024;

/** One transition as a Server-Sent Event. */
export const streamEvent = (e: HistoryEntry) =>
  `event: transition\nid: ${e.index}\ndata: ${JSON.stringify(historyView(e))}\n\n`;

interface Stream {
  res: ServerResponse;
  /** Still sending what it missed: live events reach it through the replay, in order. */
  replaying: boolean;
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
 * may be open is the admission module's budget (the route takes a slot per stream).
 */
export class EventStreams {
  private readonly open = new Set<Stream>();
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly history: HistoryStore) {}

  get size(): number {
    return this.open.size;
  }

  /**
   * Streams transitions to `res` (its headers written), after replaying those after `after` when
   * given. Returns how to forget it (its socket closed); it is forgotten when `res` closes too.
   */
  add(res: ServerResponse, after?: number): () => void {
    const stream: Stream = { res, replaying: after !== undefined };
    this.open.add(stream);
    const remove = () => this.remove(stream);
    res.once('close', remove);
    if (this.open.size === 1) {
      this.unsubscribe = this.history.subscribe((e) => this.send(streamEvent(e)));
      this.heartbeat = setInterval(() => this.send(': heartbeat\n\n'), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
    if (after !== undefined) void this.replay(stream, after);
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
    for (const { res, replaying } of this.open) {
      if (replaying) continue;
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(text);
    }
  }

  /**
   * What the client missed, from history, under the budget of live sends: a batch per turn of the
   * event loop (other requests are answered in between), never more than REPLAY_BUFFERED waiting
   * for the client. Transitions recorded meanwhile are in history: the replay sends them too, in
   * order, and the stream goes live once nothing is left.
   */
  private async replay(stream: Stream, after: number): Promise<void> {
    let cursor = this.history.replayStart(after, MAX_REPLAY);
    while (this.open.has(stream)) {
      const batch = this.history.after(cursor, REPLAY_BATCH);
      if (batch.length === 0) {
        stream.replaying = false;
        return;
      }
      for (const e of batch) stream.res.write(streamEvent(e));
      cursor = (batch[batch.length - 1] as HistoryEntry).index;
      if (stream.res.writableLength > REPLAY_BUFFERED) await drained(stream.res);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
