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

  constructor(
    private readonly data: DataFile,
    private readonly table: CheckTable,
    private readonly bus: EventBus,
    private readonly now: () => number,
    private readonly logger: Logger,
    /** Most silences held (checks churn; silences must not grow without bound). */
    private readonly max: number,
  ) {
    for (const [id, s] of data.state.silences) this.byId.set(id, { ...s });
    // A replaced check is a new state: it keeps its silence.
    bus.on('upserted', (state) => {
      const s = this.byId.get(state.check.id);
      if (s) state.silence = s;
    });
    bus.on('changed', (state) => {
      if (state.silence?.untilOk && state.status === 'OK') void this.end(state.check.id, 'check OK');
    });
    // A deleted API check takes its silence with it (the data file dropped it in the same write).
    bus.on('removed', (id) => {
      if (!this.data.state.silences.has(id)) this.byId.delete(id);
    });
  }

  /** Lifts the silences already over, and arms the ttl timer (checks take theirs as they arrive). */
  start(): void {
    this.expire();
  }

  get(id: string): Silence | undefined {
    return this.byId.get(id);
  }

  /** Silences a check once that is on disk; `created` is false when it replaced a silence. */
  async silence(
    id: string,
    reason: string,
    opts: { ttlMs?: number; untilOk: boolean },
  ): Promise<{ silence: Silence; created: boolean }> {
    const state = this.table.get(id);
    if (!state) throw checkNotFound(id);
    const previous = this.byId.get(id);
    if (!previous && this.byId.size >= this.max) {
      throw new MegaphoneError(`too many silences: at most ${this.max} (limits.maxChecks)`, 'E_TOO_MANY_SILENCES', 429);
    }
    const now = this.now();
    const silence: Silence = { reason, since: previous?.since ?? now, untilOk: opts.untilOk };
    if (opts.ttlMs !== undefined) silence.until = now + opts.ttlMs;
    await this.data.commit({ op: 'silence', id, silence });
    this.byId.set(id, silence);
    const current = this.table.get(id);
    if (current) this.apply(current, silence, `silenced: ${reason}`);
    this.logger.info({ check: id, reason, until: silence.until, untilOk: silence.untilOk }, 'check silenced');
    this.arm();
    return { silence, created: previous === undefined };
  }

  /** Lifts a check's silence once that is on disk; false when it had none. */
  lift(id: string): Promise<boolean> {
    return this.end(id, 'lifted');
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async end(id: string, cause: LiftCause): Promise<boolean> {
    if (!this.byId.has(id) || this.lifting.has(id)) return false;
    this.lifting.add(id);
    try {
      await this.data.commit({ op: 'silence', id, silence: null });
    } catch (err) {
      // A ttl or OK lift that could not be written is tried again at the next sweep or result.
      if (cause === 'lifted') throw err;
      this.logger.warn({ check: id, err: (err as Error).message }, 'could not lift a silence; will retry');
      return false;
    } finally {
      this.lifting.delete(id);
    }
    this.byId.delete(id);
    const state = this.table.get(id);
    if (state)
      this.apply(
        state,
        undefined,
        cause === 'lifted' ? 'silence lifted' : `silence lifted (${cause === 'expired' ? 'ttl over' : 'check OK'})`,
      );
    this.logger.info({ check: id, cause }, 'check silence lifted');
    this.arm();
    return true;
  }

  // The status does not move: the transition says what changed, and summaries re-count the check.
  private apply(state: CheckState, silence: Silence | undefined, message: string): void {
    const was = state.silence !== undefined;
    state.silence = silence;
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
