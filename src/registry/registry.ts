import { z } from 'zod';
import { compileCheck, type CheckDefaults } from '../checks/compile.js';
import { STATUSES, type Status } from '../status.js';
import { registrationSchema, type Registration } from '../checks/registration.js';
import { MegaphoneError, StorageError, conflict, notFound } from '../errors.js';
import type { Monitor } from '../monitor.js';
import { DurableStore } from './store.js';
import { DurableJsonFile } from './durable-file.js';
import { assertTargetAllowed, compileTargetPolicy, type TargetPolicy } from '../security/targets.js';
import { timingChanged } from '../checks/timing-changed.js';

/** The last report pushed to a push check: kept so an acknowledged report survives a restart. */
export interface PushReport {
  status: Status;
  message: string;
  /** Epoch ms it was received. */
  at: number;
}

/** What the data file holds: API registrations, as registered, and the last report of each push check. */
export interface RegistryData {
  version: 1;
  checks: Record<string, Registration>;
  pushes?: Record<string, PushReport>;
  /** Host maintenance (see src/maintenance); absent or null when not in maintenance. */
  maintenance?: unknown;
}

/** Other durable state kept beside the checks in the same data file. */
export type RegistrySection = 'maintenance';

export interface RegistryOptions {
  defaults: CheckDefaults;
  maxChecks: number;
  /** Where API checks may point; default loopback only. */
  targets?: TargetPolicy;
  /** The discovery rule that owns an id, if any: such ids cannot be registered over the API. */
  claimedBy?: (id: string) => string | undefined;
  now?: () => number;
}

/** Who declared a check that the API may not touch: its discovery rule, else its source. */
const ownerOf = (check: { source: string; rule?: string }) => (check.rule ? `discovery rule ${check.rule}` : check.source);

function emptyData(): RegistryData {
  return { version: 1, checks: {}, pushes: {} };
}

const pushReportSchema = z.strictObject({ status: z.enum(STATUSES), message: z.string(), at: z.number() });

/** Registrations made over the API: validated, stored durably, then handed to the monitor. */
export class Registry {
  private reserved = 0;
  private readonly targets: TargetPolicy;
  /** Stored ids not started because the config file declares a check with the same id. */
  readonly shadowed: string[] = [];

  private constructor(
    private readonly store: DurableStore<RegistryData>,
    private readonly monitor: Monitor,
    private opts: RegistryOptions,
  ) {
    this.targets = opts.targets ?? compileTargetPolicy();
  }

  /** Opens the data file and starts every stored check. Throws StorageError on a bad file. */
  static async open(file: string, monitor: Monitor, opts: RegistryOptions): Promise<Registry> {
    // Mutators below only set or delete whole entries of `checks` (deterministically, so the store can
    // replay them), so a shallow copy makes a safe draft; it is taken once, and again after a failed write.
    const store = await DurableStore.open<RegistryData>(new DurableJsonFile(file), emptyData(), (d) => ({ ...d, checks: { ...d.checks } }));
    const data = store.data as unknown;
    if (!data || typeof data !== 'object' || typeof (data as RegistryData).checks !== 'object' || (data as RegistryData).checks === null) {
      throw new StorageError(`data file ${file} has no "checks" object; refusing to start`);
    }
    const registry = new Registry(store, monitor, opts);
    for (const [id, raw] of Object.entries((data as RegistryData).checks)) {
      const parsed = registrationSchema.safeParse(raw);
      let check;
      try {
        check = parsed.success && parsed.data.id === id ? compileCheck(parsed.data, 'api', opts.defaults) : undefined;
      } catch {
        check = undefined;
      }
      if (!check) throw new StorageError(`data file ${file} holds an invalid check ${JSON.stringify(id)}; refusing to start`);
      // A check the config file declares wins over a stored registration of the same id (kept on disk).
      const taken = monitor.get(id);
      if (taken && taken.check.source !== 'api') {
        registry.shadowed.push(id);
        continue;
      }
      monitor.upsert(check);
    }
    for (const [id, raw] of Object.entries((data as RegistryData).pushes ?? {})) {
      const report = pushReportSchema.safeParse(raw);
      if (report.success && monitor.get(id)?.check.kind === 'push') monitor.onResult(id, { ...report.data, latencyMs: 0 });
    }
    return registry;
  }

  /** Stores and starts a check. Resolves `created` (false when it replaced one) once durable. */
  async register(reg: Registration): Promise<{ created: boolean }> {
    const check = compileCheck(reg, 'api', this.opts.defaults);
    if (check.kind === 'http') await assertTargetAllowed(check.target, this.targets);
    // A tcp target is judged as the same host would be in a URL (odd IPv4 spellings read as addresses).
    if (check.kind === 'tcp') await assertTargetAllowed(`http://${check.host.includes(':') && !check.host.startsWith('[') ? `[${check.host}]` : check.host}:${check.port}/`, this.targets);
    const existing = this.monitor.get(reg.id);
    if (existing && existing.check.source !== 'api') {
      throw conflict(`check ${JSON.stringify(reg.id)} is declared by ${ownerOf(existing.check)} and cannot be replaced over the API`, 'E_NOT_API_CHECK');
    }
    const claim = existing ? undefined : this.opts.claimedBy?.(reg.id);
    if (claim) throw conflict(`check id ${JSON.stringify(reg.id)} belongs to discovery rule ${claim} and cannot be registered over the API`, 'E_NOT_API_CHECK');
    const isNew = !existing;
    if (isNew && this.monitor.size + this.reserved >= this.opts.maxChecks) {
      throw new MegaphoneError(`too many checks: limit is ${this.opts.maxChecks} (limits.maxChecks)`, 'E_TOO_MANY_CHECKS', 429);
    }
    if (isNew) this.reserved++;
    try {
      const existed = await this.store.update((draft) => {
        const had = Object.hasOwn(draft.checks, reg.id);
        draft.checks[reg.id] = reg;
        // A replaced check starts afresh: its old push report no longer applies.
        if (draft.pushes) delete draft.pushes[reg.id];
        return had;
      });
      this.monitor.upsert(check);
      return { created: !existed };
    } finally {
      if (isNew) this.reserved--;
    }
  }

  /** Deletes an API check once the deletion is durable. 404 when unknown, 409 when not from the API. */
  async remove(id: string): Promise<void> {
    const existing = this.monitor.get(id);
    if (!existing) throw notFound(`no check with id ${JSON.stringify(id)}`, 'E_CHECK_NOT_FOUND');
    if (existing.check.source !== 'api') {
      throw conflict(`check ${JSON.stringify(id)} is declared by ${ownerOf(existing.check)} and cannot be deleted over the API`, 'E_NOT_API_CHECK');
    }
    const removed = await this.store.update((draft) => {
      if (!Object.hasOwn(draft.checks, id)) return false;
      delete draft.checks[id];
      if (draft.pushes) delete draft.pushes[id];
      return true;
    });
    if (!removed) throw notFound(`no check with id ${JSON.stringify(id)}`, 'E_CHECK_NOT_FOUND');
    this.monitor.remove(id);
  }

  /**
   * Applies reloaded defaults and limits: only API checks whose timing or thresholds changed are
   * retimed, keeping their status; the others keep polling untouched. Returns ids left as they were.
   */
  reconfigure(opts: Pick<RegistryOptions, 'defaults' | 'maxChecks'>): string[] {
    this.opts = { ...this.opts, ...opts };
    const kept: string[] = [];
    for (const [id, reg] of Object.entries(this.store.data.checks)) {
      const current = this.monitor.get(id);
      if (current?.check.source !== 'api') continue;
      let next;
      try {
        next = compileCheck(reg, 'api', this.opts.defaults);
      } catch {
        // e.g. its own timeout no longer fits a new default interval: it keeps running as it was.
        kept.push(id);
        continue;
      }
      if (timingChanged(current.check, next)) this.monitor.upsert(next, { keepState: true });
    }
    return kept;
  }

  /**
   * Records a report pushed to a push check: durable first, then applied, so an acknowledged
   * report survives a restart. 404 when unknown, 409 when the check is not a push check.
   */
  async report(id: string, status: Status, message: string): Promise<void> {
    const state = this.monitor.get(id);
    if (!state) throw notFound(`no check with id ${JSON.stringify(id)}`, 'E_CHECK_NOT_FOUND');
    if (state.check.kind !== 'push') {
      throw conflict(`check ${JSON.stringify(id)} is a ${state.check.kind} check; only push (ttl) checks take reports`, 'E_NOT_PUSH_CHECK');
    }
    const check = state.check;
    const report: PushReport = { status, message, at: (this.opts.now ?? Date.now)() };
    await this.store.update((draft) => {
      draft.pushes ??= {};
      draft.pushes[id] = report;
    });
    // Applied only if the same check is still registered after the write.
    if (this.monitor.get(id)?.check === check) this.monitor.onResult(id, { ...report, latencyMs: 0 });
  }

  /** A sibling section of the data file as last committed (validate before trusting it). */
  readSection(key: RegistrySection): unknown {
    return this.store.data[key];
  }

  /** Replaces a sibling section (null deletes it); resolves once the change is durable. */
  async writeSection(key: RegistrySection, value: unknown): Promise<void> {
    await this.store.update((draft) => {
      if (value === null || value === undefined) delete draft[key];
      else draft[key] = value;
    });
  }

  /** Waits for pending writes. */
  drain(): Promise<void> {
    return this.store.drain();
  }
}
