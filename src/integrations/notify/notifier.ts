import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { Transition } from '../../table/events.js';
import type { Status } from '../../status.js';
import { WebhookQueue, type NotifyStats } from './delivery.js';
import type { Lifecycle } from './event.js';
import type { Webhook } from './schema.js';

/** An open problem of one check (or the host, key null) for one webhook. */
interface Problem {
  status: Status;
  since: number;
  repeat?: NodeJS.Timeout;
}

interface Target {
  key: string;
  hook: Webhook;
  queue: WebhookQueue;
  problems: Map<string | null, Problem>;
}

export interface NotifierDeps {
  dispatcher: Dispatcher;
  logger: Logger;
  hostname: string;
  now: () => number;
  /** The current message of a check (or of the host, for null); used by repeats. */
  currentMessage: (check: string | null) => string | undefined;
  backoffMs?: number;
}

/**
 * Turns transitions into problem lifecycles per webhook (created → ongoing … → closed) and hands
 * the events to each webhook's own queue. It never waits for a delivery.
 */
export class Notifier {
  private targets: Target[] = [];
  readonly stats: NotifyStats = { pending: 0, delivered: 0, failedAttempts: 0, abandoned: 0, dropped: 0 };

  constructor(private readonly deps: NotifierDeps) {}

  /** Applies a new `notify` list; webhooks whose settings did not change keep their queue and open problems. */
  configure(hooks: readonly Webhook[]): void {
    const old = new Map(this.targets.map((t) => [t.key, t]));
    this.targets = hooks.map((hook) => {
      const key = JSON.stringify(hook);
      const kept = old.get(key);
      if (kept) {
        old.delete(key);
        return kept;
      }
      return { key, hook, queue: new WebhookQueue(hook, { ...this.deps, stats: this.stats }), problems: new Map() };
    });
    for (const gone of old.values()) this.drop(gone);
  }

  onTransition(t: Transition): void {
    for (const target of this.targets) {
      const { hook, problems } = target;
      if (hook.checks && (t.check === null || !hook.checks.includes(t.check))) continue;
      const open = problems.get(t.check);
      const isProblem = hook.on.includes(t.to);
      if (isProblem && !open) {
        const problem: Problem = { status: t.to, since: t.at };
        problems.set(t.check, problem);
        this.send(target, t, 'created', problem.since);
        this.scheduleRepeat(target, t.check, problem);
      } else if (isProblem && open) {
        // Still a problem, but a different one (Warning → Critical): say so now.
        open.status = t.to;
        this.send(target, t, 'ongoing', open.since);
        this.scheduleRepeat(target, t.check, open);
      } else if (open) {
        clearTimeout(open.repeat);
        problems.delete(t.check);
        this.send(target, t, 'closed', open.since);
      }
    }
  }

  /** A deleted check's open problems close. */
  onRemoved(id: string): void {
    for (const target of this.targets) {
      const open = target.problems.get(id);
      if (!open) continue;
      clearTimeout(open.repeat);
      target.problems.delete(id);
      this.send(target, { check: id, from: open.status, to: open.status, message: 'check removed', at: this.deps.now() }, 'closed', open.since);
    }
  }

  close(): void {
    for (const t of this.targets) this.drop(t);
    this.targets = [];
  }

  private drop(target: Target): void {
    for (const p of target.problems.values()) clearTimeout(p.repeat);
    target.queue.close();
  }

  private scheduleRepeat(target: Target, check: string | null, problem: Problem): void {
    clearTimeout(problem.repeat);
    const every = target.hook.repeat;
    if (!every) return;
    problem.repeat = setTimeout(() => {
      if (target.problems.get(check) !== problem) return;
      const message = this.deps.currentMessage(check) ?? '';
      this.send(target, { check, from: problem.status, to: problem.status, message, at: this.deps.now() }, 'ongoing', problem.since);
      this.scheduleRepeat(target, check, problem);
    }, every);
    problem.repeat.unref();
  }

  private send(target: Target, t: Transition, lifecycle: Lifecycle, since: number): void {
    target.queue.push({
      host: this.deps.hostname,
      check: t.check,
      from: t.from,
      to: t.to,
      message: t.message,
      at: new Date(t.at).toISOString(),
      lifecycle,
      since: new Date(since).toISOString(),
    });
  }
}
