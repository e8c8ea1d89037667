import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { eventBody, type NotifyEvent } from './event.js';
import type { Webhook } from './schema.js';

/** Delivery counters, read by /metrics and the logs. */
export interface NotifyStats {
  /** Events waiting or being delivered now. */
  pending: number;
  delivered: number;
  /** Attempts that failed (refused, timed out, non-2xx); each is retried until `attempts` run out. */
  failedAttempts: number;
  /** Events given up after their last attempt. */
  abandoned: number;
  /** Events dropped because a webhook's queue was full. */
  dropped: number;
}

/** Most events queued per webhook; the oldest are dropped beyond it. */
export const MAX_QUEUE = 1000;
const MAX_BACKOFF_MS = 30_000;

export interface DeliveryDeps {
  dispatcher: Dispatcher;
  logger: Logger;
  stats: NotifyStats;
  /** First retry delay; doubles per attempt up to 30 s. Default 500 ms. */
  backoffMs?: number;
}

/**
 * One webhook's queue: events go out one at a time, in order, each retried with backoff and a
 * deadline per attempt. Nothing here is awaited by polling or by HTTP requests.
 */
export class WebhookQueue {
  private readonly items: NotifyEvent[] = [];
  private running = false;
  private readonly closer = new AbortController();

  constructor(
    readonly hook: Webhook,
    private readonly deps: DeliveryDeps,
  ) {}

  push(event: NotifyEvent): void {
    if (this.closer.signal.aborted) return;
    if (this.items.length >= MAX_QUEUE) {
      this.items.splice(1, 1); // keep the one in flight
      this.deps.stats.dropped++;
      this.deps.stats.pending--;
      this.deps.logger.warn({ webhook: this.safeUrl() }, 'notification queue full; dropped the oldest event');
    }
    this.items.push(event);
    this.deps.stats.pending++;
    void this.pump();
  }

  /** Stops delivering; what is queued is discarded. */
  close(): void {
    this.closer.abort(new Error('notifier closed'));
    this.deps.stats.pending -= this.items.length;
    this.items.length = 0;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.items.length > 0 && !this.closer.signal.aborted) {
        const event = this.items[0] as NotifyEvent;
        await this.deliver(event);
        if (this.items[0] === event) {
          this.items.shift();
          this.deps.stats.pending--;
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async deliver(event: NotifyEvent): Promise<void> {
    const base = this.deps.backoffMs ?? 500;
    for (let attempt = 1; attempt <= this.hook.attempts; attempt++) {
      if (this.closer.signal.aborted) return;
      try {
        await this.send(event);
        this.deps.stats.delivered++;
        return;
      } catch (err) {
        if (this.closer.signal.aborted) return;
        this.deps.stats.failedAttempts++;
        const last = attempt === this.hook.attempts;
        this.deps.logger.warn(
          {
            webhook: this.safeUrl(),
            attempt,
            err: (err as Error).message,
            check: event.check,
            lifecycle: event.lifecycle,
          },
          last ? 'notification failed; giving up' : 'notification failed; will retry',
        );
        if (last) this.deps.stats.abandoned++;
        else await this.sleep(Math.min(MAX_BACKOFF_MS, base * 2 ** (attempt - 1)));
      }
    }
  }

  private async send(event: NotifyEvent): Promise<void> {
    const url = new URL(this.hook.url);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'megaphone' };
    if (url.username || url.password) {
      const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    }
    const res = await this.deps.dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers,
      body: eventBody(event, this.hook.format),
      signal: AbortSignal.any([AbortSignal.timeout(this.hook.timeout), this.closer.signal]),
    });
    // Read nothing of the reply, but release the connection.
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`HTTP ${res.statusCode}`);
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.closer.signal;
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  // Logs never carry credentials or query tokens (Slack URLs are secrets).
  private safeUrl(): string {
    const url = new URL(this.hook.url);
    return `${url.origin}${url.pathname.length > 1 ? '/…' : '/'}`;
  }
}
