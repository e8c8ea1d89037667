/**
 * Nagios threshold ranges (plugin development guidelines): `[@]start:end`, start 0 when omitted, `~` for -∞, an
 * empty end for +∞. `10` alerts outside 0..10, `10:` below 10, `~:10` above 10, `10:20` outside 10..20, `@10:20`
 * inside 10..20 (ends included). The one range parser of megaphone.
 */
export interface NagiosRange {
  /** As written. */
  text: string;
  start: number;
  end: number;
  /** `@`: alert inside start..end instead of outside. */
  inside: boolean;
}

/** Longest range accepted (characters). */
export const MAX_RANGE_LENGTH = 64;

/** The rule every range follows, as error messages state it. */
export const RANGE_RULE =
  'a Nagios range [@]start:end (start 0 if omitted, "~" for -∞, no end for ∞): "10", "10:", "~:10", "10:20", "@10:20"';

const NUMBER = '-?\\d{1,15}(?:\\.\\d{1,15})?';
const SHAPE = new RegExp(`^(@)?(?:(~|${NUMBER}):)?(${NUMBER})?$`);

/** Parses a range; throws an Error whose message is why (the caller names the field). */
export function parseRange(text: string): NagiosRange {
  const m = text.length <= MAX_RANGE_LENGTH ? SHAPE.exec(text) : null;
  // `start:` with an optional end, or an end alone: "", "@" and ":10" are not ranges.
  if (!m || (m[2] === undefined && m[3] === undefined)) throw new Error(`must be ${RANGE_RULE}`);
  const start = m[2] === undefined ? 0 : m[2] === '~' ? -Infinity : Number(m[2]);
  const end = m[3] === undefined ? Infinity : Number(m[3]);
  if (start > end) throw new Error(`has its start (${m[2]}) above its end (${m[3]}): must be ${RANGE_RULE}`);
  return { text, start, end, inside: m[1] === '@' };
}

/** True when `value` raises the alert the range describes. */
export function rangeAlerts(range: NagiosRange, value: number): boolean {
  const within = value >= range.start && value <= range.end;
  return range.inside ? within : !within;
}

/** What an alerting value is, in words: "above 10", "below 5", "outside 10..20", "inside 0..5". */
export function describeAlert(range: NagiosRange): string {
  const { start, end } = range;
  if (range.inside) {
    if (start === -Infinity) return end === Infinity ? 'any number' : `at or below ${end}`;
    return end === Infinity ? `at or above ${start}` : `inside ${start}..${end}`;
  }
  if (start === -Infinity) return end === Infinity ? 'never' : `above ${end}`;
  return end === Infinity ? `below ${start}` : `outside ${start}..${end}`;
}
