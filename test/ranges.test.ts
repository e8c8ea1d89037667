import { describe, expect, it } from 'vitest';
import { describeAlert, parseRange, rangeAlerts } from '../src/checks/ranges.js';

// The plugin guidelines' table, and the values on each side of every end (ends are inside the range).
const CASES: Array<[range: string, alertsOn: number[], quietOn: number[], words: string]> = [
  ['10', [-1, -0.5, 10.01, 11], [0, 5, 10], 'outside 0..10'],
  ['10:', [-5, 0, 9.99], [10, 11, 1e9], 'below 10'],
  ['~:10', [10.01, 11, 1e9], [-1e9, 0, 10], 'above 10'],
  ['10:20', [9.99, 20.01, -10], [10, 15, 20], 'outside 10..20'],
  ['@10:20', [10, 15, 20], [9.99, 20.01], 'inside 10..20'],
  ['@0:5', [0, 2.5, 5], [-1, 5.01], 'inside 0..5'],
  ['-5:5', [-5.01, 5.01], [-5, 0, 5], 'outside -5..5'],
  ['0.5:1.5', [0.49, 1.51], [0.5, 1, 1.5], 'outside 0.5..1.5'],
  ['@~:3', [-1e9, 3], [3.01], 'at or below 3'],
  ['@3:', [3, 1e9], [2.99], 'at or above 3'],
  ['5:5', [4.99, 5.01], [5], 'outside 5..5'],
  ['~:', [], [-1e9, 0, 1e9], 'never'],
  ['@~:', [-1e9, 0, 1e9], [], 'any number'],
];

describe('Nagios ranges', () => {
  it.each(CASES)('%s alerts on %j, not on %j (%s)', (text, alertsOn, quietOn, words) => {
    const range = parseRange(text);
    for (const v of alertsOn) expect(rangeAlerts(range, v), `${text} on ${v}`).toBe(true);
    for (const v of quietOn) expect(rangeAlerts(range, v), `${text} on ${v}`).toBe(false);
    expect(describeAlert(range)).toBe(words);
  });

  it.each([
    ['', /must be a Nagios range/],
    ['@', /must be a Nagios range/],
    [':10', /must be a Nagios range/],
    ['abc', /must be a Nagios range/],
    ['10:5', /start \(10\) above its end \(5\)/],
    ['@20:10', /start \(20\) above its end \(10\)/],
    ['1e3', /must be a Nagios range/],
    ['10 ', /must be a Nagios range/],
    ['~', /must be a Nagios range/],
    ['10:20:30', /must be a Nagios range/],
    ['0x10', /must be a Nagios range/],
    ['1'.repeat(65), /must be a Nagios range/],
  ])('%j is refused, naming the rule', (text, why) => {
    expect(() => parseRange(text)).toThrow(why);
    expect(() => parseRange(text)).toThrow(/"10", "10:", "~:10", "10:20", "@10:20"/);
  });
});
