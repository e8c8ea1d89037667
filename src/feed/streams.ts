import type { ServerResponse } from 'node:http';
import type { HistoryEntry, HistoryStore } from '../history/store.js';
import { historyView } from '../history/view.js';

/** A comment line this often keeps proxies and clients from timing the stream out. */
export const HEARTBEAT_MS = 15_000;
/** Most streams open at once; more get 503 (each is a socket held). */
export const MAX_STREAMS = 1000;
/** A client this far behind is cut off; it resumes with Last-Event-ID. */
const MAX_BUFFERED = 1024 * 1024;

/** One transition as a Server-Sent Event. */
export const streamEvent = (e: HistoryEntry) =>
  `event: transition\nid: ${e.index}\ndata: ${JSON.stringify(historyView(e))}\n\n`;

/**
 * The open event streams: one heartbeat timer for all of them, and one history subscription that
 * writes each new transition to every stream. Idle streams cost nothing but their sockets.
 */
export class EventStreams {
  private readonly open = new Set<ServerResponse>();
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly history: HistoryStore) {}

  get size(): number {
    return this.open.size;
  }

  add(res: ServerResponse): void {
    this.open.add(res);
    res.once('close', () => this.remove(res));
    if (this.open.size > 1) return;
    this.unsubscribe = this.history.subscribe((e) => this.send(streamEvent(e)));
    this.heartbeat = setInterval(() => this.send(': heartbeat\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private remove(res: ServerResponse): void {
    this.open.delete(res);
    if (this.open.size > 0) return;
    clearInterval(this.heartbeat);
    this.unsubscribe?.();
  }

  /** Ends every stream (megaphone is stopping); clients reconnect to the next one. */
  close(): void {
    for (const res of [...this.open]) res.end();
  }

  private send(text: string): void {
    for (const res of this.open) {
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(text);
    }
  }
}
