import { z } from 'zod';
import { StorageError } from '../lib/errors.js';
import { storedStatusSchema, type Status } from '../status.js';
import type { Registration } from '../checks/spec.js';
import { JournaledStore } from '../storage/journaled-store.js';
import { safeRecord } from '../lib/safe-record.js';
import type { Storage } from '../storage/types.js';

/** The last report pushed to a push check: kept so an acknowledged report survives a restart. */
export interface PushReport {
  status: Status;
  message: string;
  /** Epoch ms it was received. */
  at: number;
}

/** A check left out of the host's status on purpose, for a while (see src/silences). */
export interface StoredSilence {
  reason: string;
  /** Epoch ms. */
  since: number;
  /** Epoch ms it lifts by itself; absent: until lifted (or until OK). */
  until?: number;
  /** Lifts once the check reads OK. */
  untilOk: boolean;
}

/** Other durable state kept beside the checks in the data file, each a section of its own. */
export type SectionKey = 'maintenance';

/** What the data file holds, in memory. Keys from outside live in Maps, never in plain objects. */
export interface DataState {
  /** API registrations by id, as registered (validated again when loaded). */
  checks: Map<string, unknown>;
  pushes: Map<string, PushReport>;
  silences: Map<string, StoredSilence>;
  sections: Map<SectionKey, unknown>;
}

/** One change to the data file. */
export type DataOp =
  | { op: 'put'; reg: Registration }
  | { op: 'delete'; id: string }
  | { op: 'push'; id: string; report: PushReport }
  | { op: 'silence'; id: string; silence: StoredSilence | null }
  | { op: 'section'; key: SectionKey; value: unknown };

export const DATA_VERSION = 1;
const SECTION_KEYS: readonly SectionKey[] = ['maintenance'];

const pushReportSchema = z.strictObject({ status: storedStatusSchema, message: z.string(), at: z.number() });
const silenceSchema = z.strictObject({
  reason: z.string(),
  since: z.number(),
  until: z.number().optional(),
  untilOk: z.boolean(),
});
// Ids are keys here: a safe record keeps `__proto__` a key like any other (zod's record drops it).
const record = safeRecord(z.string(), z.unknown());
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const documentSchema = z.looseObject({
  version: z.number(),
  checks: record,
  pushes: record.optional(),
  silences: record.optional(),
});

const emptyState = (): DataState => ({
  checks: new Map(),
  pushes: new Map(),
  silences: new Map(),
  sections: new Map(),
});

/** Builds the state from the file's JSON; throws naming what is wrong (the store names the file). */
export function stateFromDocument(json: unknown): DataState {
  const bad = (why: string) => new StorageError(why);
  if (!isObject(json)) {
    throw bad(`it does not hold a megaphone registry (got ${JSON.stringify(json)?.slice(0, 40)})`);
  }
  const doc = documentSchema.safeParse(json);
  if (!doc.success) throw bad('it has no "version" and "checks" of a megaphone registry');
  if (doc.data.version !== DATA_VERSION) {
    throw bad(`it has version ${JSON.stringify(doc.data.version)}; this megaphone reads version ${DATA_VERSION}`);
  }
  const state = emptyState();
  for (const [id, reg] of Object.entries(doc.data.checks)) state.checks.set(id, reg);
  for (const [id, raw] of Object.entries(doc.data.pushes ?? {})) {
    const report = pushReportSchema.safeParse(raw);
    if (!report.success) throw bad(`it holds an invalid push report for ${JSON.stringify(id)}`);
    state.pushes.set(id, report.data);
  }
  for (const [id, raw] of Object.entries(doc.data.silences ?? {})) {
    const silence = silenceSchema.safeParse(raw);
    if (!silence.success) throw bad(`it holds an invalid silence for ${JSON.stringify(id)}`);
    state.silences.set(id, silence.data);
  }
  for (const key of SECTION_KEYS) {
    const value = (json as Record<string, unknown>)[key];
    if (value !== undefined && value !== null) state.sections.set(key, value);
  }
  return state;
}

/**
 * The file's JSON for a state; maps become null-prototype objects, so an id like `__proto__` is a key like any other.
 */
export function documentFromState(state: DataState): Record<string, unknown> {
  const toObject = <V>(m: Map<string, V>) => {
    const o = Object.create(null) as Record<string, V>;
    for (const [k, v] of m) o[k] = v;
    return o;
  };
  const doc: Record<string, unknown> = {
    version: DATA_VERSION,
    checks: toObject(state.checks),
    pushes: toObject(state.pushes),
    silences: toObject(state.silences),
  };
  for (const [key, value] of state.sections) doc[key] = value;
  return doc;
}

/** Applies one op in place; returns whether the id existed before (put, delete). Deterministic. */
export function applyDataOp(state: DataState, op: DataOp): boolean {
  switch (op.op) {
    case 'put': {
      const had = state.checks.has(op.reg.id);
      state.checks.set(op.reg.id, op.reg);
      // A replaced check starts afresh: its old push report no longer applies.
      state.pushes.delete(op.reg.id);
      return had;
    }
    case 'delete':
      state.pushes.delete(op.id);
      state.silences.delete(op.id);
      return state.checks.delete(op.id);
    case 'silence': {
      const had = state.silences.has(op.id);
      if (op.silence === null) state.silences.delete(op.id);
      else state.silences.set(op.id, op.silence);
      return had;
    }
    case 'push':
      state.pushes.set(op.id, op.report);
      return true;
    case 'section':
      if (op.value === null || op.value === undefined) state.sections.delete(op.key);
      else state.sections.set(op.key, op.value);
      return true;
  }
}

const opSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('put'), reg: z.looseObject({ id: z.string() }) }),
  z.strictObject({ op: z.literal('delete'), id: z.string() }),
  z.strictObject({ op: z.literal('push'), id: z.string(), report: pushReportSchema }),
  z.strictObject({ op: z.literal('silence'), id: z.string(), silence: silenceSchema.nullable() }),
  z.strictObject({ op: z.literal('section'), key: z.enum(SECTION_KEYS as [SectionKey]), value: z.unknown() }),
]);

/** An op as read back from the journal; throws when it is not one. */
function parseOp(json: unknown): DataOp {
  return opSchema.parse(json) as DataOp;
}

/**
 * The data file: API registrations, push reports, silences and sections (maintenance), durable
 * before any change is acknowledged. Changes are ops appended to a write-ahead journal beside it
 * (group commit, O(batch) per write) and folded into the file now and then (storage/journaled-store.ts).
 */
export class DataFile {
  private constructor(
    private readonly store: JournaledStore<DataState, DataOp, boolean>,
    readonly file: string,
  ) {}

  /** Reads the file and replays its journal. Throws StorageError when either is not valid. */
  static async open(storage: Storage): Promise<DataFile> {
    const file = storage.describe;
    const store = await JournaledStore.open<DataState, DataOp, boolean>({
      storage,
      initial: emptyState,
      fromDocument: stateFromDocument,
      toDocument: documentFromState,
      parseOp,
      apply: applyDataOp,
    });
    return new DataFile(store, file);
  }

  /** The committed state; treat as read-only. */
  get state(): DataState {
    return this.store.state;
  }

  /** Applies `op` once it is on disk; resolves with whether the id existed before. */
  commit(op: DataOp): Promise<boolean> {
    return this.store.commit(op);
  }

  section(key: SectionKey): unknown {
    return this.store.state.sections.get(key);
  }

  /** Replaces a section (null deletes it); resolves once durable. */
  async writeSection(key: SectionKey, value: unknown): Promise<void> {
    await this.commit({ op: 'section', key, value });
  }

  /** Waits for pending writes and folds the journal into the file. */
  close(): Promise<void> {
    return this.store.close();
  }
}
