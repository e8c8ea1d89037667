import { describe, expect, it } from 'vitest';
import { judge, newTracking, type Tracking } from '../src/checks/thresholds.js';
import type { Status } from '../src/status.js';

/** Feeds raw statuses through judge from a pending start; returns the status shown after each. */
function run(raws: Status[], rise: number, fall: number): Status[] {
  let current = { status: 'Unknown' as Status, message: '', pending: true };
  let t: Tracking = newTracking();
  return raws.map((raw) => {
    const v = judge(current, t, { status: raw, message: raw }, { rise, fall, flap: { window: 10, changes: 5 } });
    current = { status: v.status, message: v.message, pending: false };
    t = v.tracking;
    return v.status;
  });
}

describe('rise/fall', () => {
  it.each<[string, Status[], number, number, Status[]]>([
    ['1/1 shows every result', ['OK', 'Critical', 'OK'], 1, 1, ['OK', 'Critical', 'OK']],
    ['the first result is shown as it is', ['Critical', 'Critical'], 3, 3, ['Critical', 'Critical']],
    [
      'fall 3 needs three failures in a row',
      ['OK', 'Critical', 'Critical', 'OK', 'Critical', 'Critical', 'Critical'],
      1,
      3,
      ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'Critical'],
    ],
    ['Warning and Critical both count as failures', ['OK', 'Warning', 'Critical'], 1, 2, ['OK', 'OK', 'Critical']],
    [
      'between bad statuses it moves at once',
      ['Critical', 'Warning', 'Unknown'],
      3,
      3,
      ['Critical', 'Warning', 'Unknown'],
    ],
    [
      'rise 2 needs two successes in a row',
      ['Critical', 'OK', 'Critical', 'OK', 'OK'],
      2,
      1,
      ['Critical', 'Critical', 'Critical', 'Critical', 'OK'],
    ],
  ])('%s', (_name, raws, rise, fall, shown) => {
    expect(run(raws, rise, fall)).toEqual(shown);
  });
});

describe('flapping', () => {
  it(
    'is true once the status changed more than `changes` times within `window` results, and ' +
      'clears as they age out',
    () => {
      let t = newTracking();
      const flags: boolean[] = [];
      const seq: Status[] = ['OK', 'Critical', 'OK', 'Critical', 'OK', 'OK', 'OK', 'OK', 'OK'];
      for (const raw of seq) {
        t = judge(
          { status: 'OK', message: '', pending: false },
          t,
          { status: raw, message: '' },
          { rise: 1, fall: 1, flap: { window: 5, changes: 3 } },
        ).tracking;
        flags.push(t.flapping);
      }
      expect(flags).toEqual([false, false, false, false, true, false, false, false, false]);
    },
  );
});
