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
});
