import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { summarize, type CheckView } from '../src/summary/aggregate.js';
import { GLOBAL_ID } from '../src/checks/id.js';
import { SummaryIndex } from '../src/summary/summary-index.js';
import { STATUSES } from '../src/status.js';

const id = fc.constantFrom('a', 'b', 'c', 'd', 'e', GLOBAL_ID);
const op = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    id,
    status: fc.constantFrom(...STATUSES),
    message: fc.constantFrom('x', 'y', ''),
  }),
  fc.record({ kind: fc.constant('delete' as const), id }),
);

describe('SummaryIndex', () => {
  it('after any sequence of changes, equals summarize() over every check as it stands', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const index = new SummaryIndex();
        const all = new Map<string, CheckView>();
        for (const o of ops) {
          if (o.kind === 'set') {
            index.set(o.id, o.status, o.message);
            all.set(o.id, { id: o.id, status: o.status, message: o.message });
          } else {
            index.delete(o.id);
            all.delete(o.id);
          }
          const global = all.get(GLOBAL_ID);
          const rest = [...all.values()].filter((v) => v.id !== GLOBAL_ID);
          const expected = summarize(rest, global);
          expect(index.summary()).toEqual(expected);
          expect(index.status()).toBe(expected.status);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('equals summarize() too when many changes come between reads (sorted afresh) or few (moved one by one)', () => {
    const many = fc.constantFrom(...Array.from({ length: 150 }, (_, i) => `c${i}`));
    const change = fc.record({
      id: many,
      status: fc.constantFrom(...STATUSES),
      remove: fc.boolean(),
      read: fc.integer({ min: 0, max: 99 }),
    });
    fc.assert(
      fc.property(fc.array(change, { minLength: 200, maxLength: 400 }), (changes) => {
        const index = new SummaryIndex();
        const all = new Map<string, CheckView>();
        for (const c of changes) {
          if (c.remove) {
            index.delete(c.id);
            all.delete(c.id);
          } else {
            index.set(c.id, c.status, `m-${c.status}`);
            all.set(c.id, { id: c.id, status: c.status, message: `m-${c.status}` });
          }
          // Read after about one change in a hundred: short runs of changes between reads, and long ones.
          if (c.read === 0) expect(index.summary()).toEqual(summarize(all.values()));
        }
        expect(index.summary()).toEqual(summarize(all.values()));
      }),
      { numRuns: 200 },
    );
  });
});
