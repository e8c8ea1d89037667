import type { Config } from '../config/schema.js';
import { compileCheck } from '../checks/compile.js';
import { registrationSchema, type Registration } from '../checks/registration.js';
import { MegaphoneError, StorageError, conflict, notFound } from '../errors.js';
import type { Monitor } from '../monitor.js';
import { DurableStore } from './store.js';
import { DurableJsonFile } from './durable-file.js';
import { assertTargetAllowed, compileTargetPolicy, type TargetPolicy } from '../security/targets.js';

/** What the data file holds: API registrations, as registered. */
export interface RegistryData {
  version: 1;
  checks: Record<string, Registration>;
}

export interface RegistryOptions {
  defaults: Config['defaults'];
  maxChecks: number;
  /** Where API checks may point; default loopback only. */
  targets?: TargetPolicy;
}

function emptyData(): RegistryData {
  return { version: 1, checks: {} };
}

/** Registrations made over the API: validated, stored durably, then handed to the monitor. */
export class Registry {
  private reserved = 0;
  private readonly targets: TargetPolicy;

  private constructor(
    private readonly store: DurableStore<RegistryData>,
    private readonly monitor: Monitor,
    private readonly opts: RegistryOptions,
  ) {
    this.targets = opts.targets ?? compileTargetPolicy();
  }

  /** Opens the data file and starts every stored check. Throws StorageError on a bad file. */
  static async open(file: string, monitor: Monitor, opts: RegistryOptions): Promise<Registry> {
    const store = await DurableStore.open<RegistryData>(new DurableJsonFile(file), emptyData());
    const data = store.data as unknown;
    if (!data || typeof data !== 'object' || typeof (data as RegistryData).checks !== 'object' || (data as RegistryData).checks === null) {
      throw new StorageError(`data file ${file} has no "checks" object; refusing to start`);
    }
    const registry = new Registry(store, monitor, opts);
    for (const [id, raw] of Object.entries((data as RegistryData).checks)) {
      const parsed = registrationSchema.safeParse(raw);
      if (!parsed.success || parsed.data.id !== id) {
        throw new StorageError(`data file ${file} holds an invalid check ${JSON.stringify(id)}; refusing to start`);
      }
      monitor.upsert(compileCheck(parsed.data, 'api', opts.defaults));
    }
    return registry;
  }

  /** Stores and starts a check. Resolves `created` (false when it replaced one) once durable. */
  async register(reg: Registration): Promise<{ created: boolean }> {
    const check = compileCheck(reg, 'api', this.opts.defaults);
    if (check.kind === 'http') await assertTargetAllowed(check.target, this.targets);
    const existing = this.monitor.get(reg.id);
    if (existing && existing.check.source !== 'api') {
      throw conflict(`check ${JSON.stringify(reg.id)} is declared by ${existing.check.source} and cannot be replaced over the API`, 'E_NOT_API_CHECK');
    }
    const isNew = !existing;
    if (isNew && this.monitor.size + this.reserved >= this.opts.maxChecks) {
      throw new MegaphoneError(`too many checks: limit is ${this.opts.maxChecks} (limits.maxChecks)`, 'E_TOO_MANY_CHECKS', 429);
    }
    if (isNew) this.reserved++;
    try {
      const existed = await this.store.update((draft) => {
        const had = Object.hasOwn(draft.checks, reg.id);
        draft.checks[reg.id] = reg;
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
      throw conflict(`check ${JSON.stringify(id)} is declared by ${existing.check.source} and cannot be deleted over the API`, 'E_NOT_API_CHECK');
    }
    const removed = await this.store.update((draft) => {
      if (!Object.hasOwn(draft.checks, id)) return false;
      delete draft.checks[id];
      return true;
    });
    if (!removed) throw notFound(`no check with id ${JSON.stringify(id)}`, 'E_CHECK_NOT_FOUND');
    this.monitor.remove(id);
  }

  /** Waits for pending writes. */
  drain(): Promise<void> {
    return this.store.drain();
  }
}
