import type { Logger } from 'pino';
import { checkNotFound, MegaphoneError } from '../lib/errors.js';
import type { DataFile } from '../registrations/data-file.js';
import type { CheckState, Silence } from '../table/check-state.js';
import type { CheckTable } from '../table/check-table.js';
import type { EventBus } from '../table/events.js';

export { silenceView } from './view.js';

// setTimeout fires at once beyond 2^31-1 ms; longer waits re-arm.
const MAX_TIMER = 2 ** 31 - 1;

/** Why a silence ended, as history and the logs say it. */
type LiftCause = 'lifted' | 'expired' | 'check OK';

/**
 * Check silences: a silenced check is left out of the host's and groups' status (and so of the
 * agent) and sends no notifications, while its own status goes on. Silences are kept in the data
 * file by check id, lift at their ttl or (untilOk) once the check reads OK, and both silencing and
 * lifting are transitions on the bus (history records them).
 */
export class Silences {
  private readonly byId = new Map<string, Silence>();
  private timer: NodeJS.Timeout | undefined;
  private readonly lifting = new Set<string>();
  /** Silence writes queued per id, and the last one: the state a new write commits into. */
  private readonly writing = new Map<string, { count: number; latest: Silence | null }>();
  /** A token per life of a check: kept when it is replaced, new when it comes back after a removal. */
  private readonly lives = new Map<string, object>();

  constructor(
    private readonly data: DataFile,
    private readonly table: CheckTable,
    private readonly bus: EventBus,
    private readonly now: () => number,
    private readonly logger: Logger,
    /** Most silences held (checks churn; silences must not grow without bound). */
    private readonly max: number,
    /** The check is there and no queued write deletes it (registrations/pending.ts). */
    private readonly holds: (id: string) => boolean,
  ) {
    for (const [id, s] of data.state.silences) this.byId.set(id, { ...s });
    // A replaced check keeps its silence; one added after its removal has none (it died with it).
    bus.on('upserted', (state, previous) => {
      if (!previous) this.lives.set(state.check.id, {});
      const s = this.byId.get(state.check.id);
      if (s) state.silence = s;
    });
    bus.on('changed', (state) => {
      if (state.silence?.untilOk && state.status === 'OK') void this.end(state.check.id, 'check OK');
    });
    bus.on('removed', (id) => this.forget(id));
  }

  /** Lifts the silences already over, and arms the ttl timer (checks take theirs as they arrive). */
  start(): void {
    this.expire();
  }

  /** Once every source has loaded its checks: a stored silence whose check is not there died with it. */
  forgetOrphans(): void {
    for (const id of [...this.byId.keys()]) if (!this.table.get(id)) this.forget(id);
  }

  get(id: string): Silence | undefined {
    return this.byId.get(id);
  }

  /** Silences held now. */
  get size(): number {
    return this.byId.size;
  }

  /** Silences a check once that is on disk; `created` is false when it replaced a silence. */
  async silence(
    id: string,
    reason: string,
    opts: { ttlMs?: number; untilOk: boolean },
  ): Promise<{ silence: Silence; created: boolean }> {
    // Checked in the turn the write is queued: a deletion queued before it means there is no check.
    if (!this.holds(id)) throw checkNotFound(id);
    const previous = this.latest(id);
    if (!previous && this.byId.size + this.writing.size >= this.max) {
      throw new MegaphoneError(`too many silences: at most ${this.max} (limits.maxChecks)`, 'E_TOO_MANY_SILENCES', 429);
    }
    const now = this.now();
    const silence: Silence = { reason, since: previous?.since ?? now, untilOk: opts.untilOk };
    if (opts.ttlMs !== undefined) silence.until = now + opts.ttlMs;
    const life = this.lives.get(id);
    const done = { silence, created: previous === undefined };
    return this.write(id, silence, () => {
      // The check went while this was written: its removal wrote the silence away after it.
      if (life === undefined || this.lives.get(id) !== life) return done;
      this.byId.set(id, silence);
      const current = this.table.get(id);
      if (current) this.apply(current, silence, `silenced: ${reason}`);
      this.logger.info({ check: id, reason, until: silence.until, untilOk: silence.untilOk }, 'check silenced');
      this.arm();
      return done;
    });
  }

  /** Lifts a check's silence once that is on disk; false when it had none. */
  lift(id: string): Promise<boolean> {
    return this.end(id, 'lifted');
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  // The silence the data file will hold once the queued writes land.
  private latest(id: string): Silence | undefined {
    const queued = this.writing.get(id);
    return queued ? (queued.latest ?? undefined) : this.byId.get(id);
  }

  // Queues a silence write, tracked as queued until it lands; `landed` applies it in that same call, so no other
  // write reads a state where it is neither queued nor applied.
  private write<T>(id: string, silence: Silence | null, landed: () => T): Promise<T> {
    let w = this.writing.get(id);
    if (!w) this.writing.set(id, (w = { count: 0, latest: silence }));
    w.count++;
    w.latest = silence;
    const entry = w;
    const settle = () => {
      if (--entry.count === 0 && this.writing.get(id) === entry) this.writing.delete(id);
    };
    return this.data.commit({ op: 'silence', id, silence }).then(
      () => {
        settle();
        return landed();
      },
      (err: unknown) => {
        settle();
        throw err;
      },
    );
  }

  // A silence dies with its check, whatever removed it (the API, a reload, discovery).
  private forget(id: string): void {
    this.lives.delete(id);
    this.byId.delete(id);
    // An API deletion dropped it from the data file in its own write; others write it away, after any still queued.
    if (!this.data.state.silences.has(id) && !this.writing.has(id)) return;
    this.write(id, null, () => undefined).catch((err: unknown) =>
      this.logger.warn(
        { check: id, err: (err as Error).message },
        'could not drop the silence of a removed check; it is dropped at the next start',
      ),
    );
    this.arm();
  }

  private async end(id: string, cause: LiftCause): Promise<boolean> {
    if (!this.latest(id) || this.lifting.has(id)) return false;
    this.lifting.add(id);
    const life = this.lives.get(id);
    try {
      return await this.write(id, null, () => {
        if (life === undefined || this.lives.get(id) !== life) return true;
        this.byId.delete(id);
        const state = this.table.get(id);
        const why = cause === 'lifted' ? '' : ` (${cause === 'expired' ? 'ttl over' : 'check OK'})`;
        if (state) this.apply(state, undefined, `silence lifted${why}`);
        this.logger.info({ check: id, cause }, 'check silence lifted');
        this.arm();
        return true;
      });
    } catch (err) {
      // A ttl or OK lift that could not be written is tried again at the next sweep or result.
      if (cause === 'lifted') throw err;
      this.logger.warn({ check: id, err: (err as Error).message }, 'could not lift a silence; will retry');
      return false;
    } finally {
      this.lifting.delete(id);
    }
  }

  // The status does not move: the transition says what changed, and summaries re-count the check.
  private apply(state: CheckState, silence: Silence | undefined, message: string): void {
    const was = state.silence !== undefined;
    state.silence = silence;
    if (!was && silence === undefined) return;
    if (was && silence !== undefined) {
      this.bus.emit('changed', state);
      return;
    }
    const at = this.now();
    this.bus.emit('transition', {
      check: state.check.id,
      from: state.status,
      to: state.status,
      message,
      at,
      silence: silence ? 'on' : 'off',
    });
    this.bus.emit('changed', state);
  }

  // One timer, for the soonest ttl.
  private arm(): void {
    this.stop();
    let soonest = Infinity;
    for (const s of this.byId.values()) if (s.until !== undefined) soonest = Math.min(soonest, s.until);
    if (soonest === Infinity) return;
    this.timer = setTimeout(() => this.expire(), Math.min(Math.max(soonest - this.now(), 0), MAX_TIMER));
    this.timer.unref();
  }

  private expire(): void {
    const now = this.now();
    for (const [id, s] of this.byId) if (s.until !== undefined && s.until <= now) void this.end(id, 'expired');
    this.arm();
  }
}
