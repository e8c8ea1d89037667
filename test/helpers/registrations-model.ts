import { z } from 'zod';
import type { JournaledStoreOptions } from '../../src/storage/journaled-store.js';
import type { Storage } from '../../src/storage/types.js';

// A registry-shaped model for the storage tests: checks by id, put and delete.
const regSchema = z.strictObject({ id: z.string(), url: z.string() });
const opSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('put'), id: z.string(), reg: regSchema }),
  z.strictObject({ op: z.literal('del'), id: z.string() }),
]);

export type Reg = z.infer<typeof regSchema>;
export type RegOp = z.infer<typeof opSchema>;
export interface RegState {
  version: 1;
  checks: Map<string, Reg>;
}

export const put = (id: string): RegOp => ({ op: 'put', id, reg: { id, url: `http://127.0.0.1:1/${id}` } });
export const del = (id: string): RegOp => ({ op: 'del', id });

/** Store options for the model; `put` resolves true when it replaced a check, `del` throws for an unknown id. */
export function registrations(
  storage: Storage,
  extra: Partial<JournaledStoreOptions<RegState, RegOp, boolean>> = {},
): JournaledStoreOptions<RegState, RegOp, boolean> {
  return {
    storage,
    initial: () => ({ version: 1, checks: new Map() }),
    fromDocument(json) {
      const doc = json as { version?: unknown; checks?: unknown };
      if (typeof doc !== 'object' || doc === null) throw new Error(`${JSON.stringify(json)} is not a registry`);
      if (doc.version !== 1) throw new Error(`unknown version ${JSON.stringify(doc.version)} (this reads version 1)`);
      const checks = z.record(z.string(), regSchema).safeParse(doc.checks);
      if (!checks.success) throw new Error('"checks" is not an object of registrations');
      return { version: 1, checks: new Map(Object.entries(checks.data)) };
    },
    toDocument: (s) => ({ version: 1, checks: Object.fromEntries(s.checks) }),
    parseOp: (json) => opSchema.parse(json),
    apply(s, op) {
      const had = s.checks.has(op.id);
      if (op.op === 'put') s.checks.set(op.id, op.reg);
      else if (!had) throw new Error(`no check ${JSON.stringify(op.id)}`);
      else s.checks.delete(op.id);
      return had;
    },
    ...extra,
  };
}

/** The ids a store holds, sorted. */
export const ids = (s: RegState) => [...s.checks.keys()].sort();
