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
  /** The checks as they stand: silences and dependencies decide who is told. */
  checks: NotifierChecks;
  backoffMs?: number;
}

/** What the notifier asks of a check now. */
export interface NotifierChecks {
  /** Status and message, silenced or not; undefined when there is no such check. */
  get(id: string): { status: Status; message: string; silenced: boolean } | undefined;
  /** Its dependencies that are not OK while it is not OK (it is blocked by them). */
  blockedBy(id: string): readonly string[];
  dependentsOf(id: string): Iterable<string>;
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

  /**
   * A transition of a check or the host. A silenced check, and a check blocked by one of its
   * dependencies, tell nobody: the dependency (the root cause) does. Silencing closes a check's open
   * problems quietly; lifting it, or the root cause recovering or being silenced, opens them again
   * if still there (a check whose dependencies are OK or silenced fails for its own reason).
   */
  onTransition(t: Transition): void {
    const { checks } = this.deps;
    if (t.check !== null) {
      if (t.silence === 'on') {
        this.forget(t.check);
        // A silenced dependency blocks nothing: its dependents' own failures are theirs to tell.
        for (const d of checks.dependentsOf(t.check)) this.reopen(d, t.at);
        return;
      }
      if (t.silence === 'off') return this.reopen(t.check, t.at);
      if (checks.get(t.check)?.silenced) return;
      if (t.to !== 'OK' && (t.blockedBy?.length ?? 0) > 0) return;
    }
    this.apply(t);
    // A recovered dependency may leave its dependents with problems of their own.
    if (t.check !== null && t.to === 'OK') for (const d of checks.dependentsOf(t.check)) this.reopen(d, t.at);
  }

  // Closes a check's open problems without telling anyone (it was silenced).
  private forget(check: string): void {
    for (const target of this.targets) {
      const open = target.problems.get(check);
      if (!open) continue;
      clearTimeout(open.repeat);
      target.problems.delete(check);
    }
  }

  // A check that may now be told about (silence lifted, no longer blocked): open its problem if it has one.
  private reopen(check: string, at: number): void {
    const state = this.deps.checks.get(check);
    if (!state || state.silenced || state.status === 'OK' || this.deps.checks.blockedBy(check).length > 0) return;
    const t: Transition = { check, from: state.status, to: state.status, message: state.message, at };
    for (const target of this.targets) {
      if (target.problems.has(check)) continue;
      this.apply(t, target);
    }
  }

  private apply(t: Transition, only?: Target): void {
    for (const target of only ? [only] : this.targets) {
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
      this.send(
        target,
        { check: id, from: open.status, to: open.status, message: 'check removed', at: this.deps.now() },
        'closed',
        open.since,
      );
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
      this.send(
        target,
        { check, from: problem.status, to: problem.status, message, at: this.deps.now() },
        'ongoing',
        problem.since,
      );
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
